"""English stopwords: the common NLTK list, plus filler words people type into chat questions.

Kept as words that carry no topic. Negations ("not", "no") are stopwords here as in most BM25
setups: lexical retrieval cannot use them reliably.
"""

_NLTK_ENGLISH = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that
these those am is are was were be been being have has had having do does did doing a an the and
but if or because as until while of at by for with about against between into through during
before after above below to from up down in out on off over under again further then once here
there when where why how all any both each few more most other some such no nor not only own same
so than too very s t can will just don should now d ll m o re ve y ain aren couldn didn doesn
hadn hasn haven isn ma mightn mustn needn shan shouldn wasn weren won wouldn
"""

# Words of the question, not of its topic: "hey, can anyone tell me what's the deal with ...".
# "How many"/"how much" are kept as answer types by the tokenizer, not as words.
_CHAT_FILLERS = """
what's whats hey hi hello please pls plz tell anyone anybody someone know u ur guys bot ok okay
thanks thank really actually exactly basically wondering wonder explain would could might shall
may must also yet let lets let's many much
"""

STOPWORDS: frozenset[str] = frozenset(_NLTK_ENGLISH.split()) | frozenset(_CHAT_FILLERS.split())
