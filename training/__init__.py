"""Training the answer reader (``bot.engine.ranking.reader``): data written for the project, and the trainer.

Needs PyTorch, for training only: ``pip install -r training/requirements.txt``. The bot never imports
this package.
"""
