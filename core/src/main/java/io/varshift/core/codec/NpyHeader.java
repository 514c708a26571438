package io.varshift.core.codec;

/**
 * Strict parser of the NPY header, a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (1, 28, 28), }}. It accepts exactly the
 * keys descr (a string), fortran_order (True/False) and shape (a tuple of non-negative ints; a
 * one-element tuple needs its trailing comma), in any order, once each, as numpy does.
 */
final class NpyHeader extends ByteCursor {
    private static final String[] KEYS = {"descr", "fortran_order", "shape"};

    int descrFrom = -1;
    int descrTo = -1;
    boolean fortranOrder;
    final int[] shape = new int[SampleShape.MAX_RANK];
    int rank = -1;

    private NpyHeader(byte[] bytes, int from, int to) {
        super(bytes, from, to);
    }

    /** Parses {@code bytes[from, to)}; every syntax error is a BAD_HEADER rejection saying where. */
    static NpyHeader parse(byte[] bytes, int from, int to) throws Rejection {
        NpyHeader header = new NpyHeader(bytes, from, to);
        header.parseDict();
        return header;
    }

    boolean descrIs(String literal) {
        return regionEquals(descrFrom, descrTo, literal);
    }

    String descr() {
        return Text.quote(b, descrFrom, descrTo);
    }

    private void parseDict() throws Rejection {
        skipWs();
        expect('{');
        boolean[] seen = new boolean[KEYS.length];
        skipWs();
        while (peek() != '}') {
            int key = parseKey();
            if (seen[key]) {
                throw bad("key '" + KEYS[key] + "' appears twice");
            }
            seen[key] = true;
            skipWs();
            expect(':');
            skipWs();
            parseValue(key);
            skipWs();
            if (peek() == ',') {
                pos++;
                skipWs();
            } else if (peek() != '}') {
                throw bad("expected ',' or '}'");
            }
        }
        pos++;
        skipWs();
        if (pos != end) {
            throw bad("unexpected content after the dictionary");
        }
        for (int k = 0; k < KEYS.length; k++) {
            if (!seen[k]) {
                throw new Rejection(RejectReason.BAD_HEADER, "NPY header has no '" + KEYS[k] + "' key");
            }
        }
    }

    private int parseKey() throws Rejection {
        int from = pos + 1;
        int to = parseString();
        for (int k = 0; k < KEYS.length; k++) {
            if (regionEquals(from, to, KEYS[k])) {
                return k;
            }
        }
        throw new Rejection(RejectReason.BAD_HEADER, "NPY header has unknown key " + Text.quote(b, from, to)
                + "; only 'descr', 'fortran_order' and 'shape' are allowed");
    }

    private void parseValue(int key) throws Rejection {
        switch (key) {
            case 0 -> {
                if (peek() != '\'' && peek() != '"') {
                    throw bad("'descr' must be a string such as '<f4'");
                }
                descrFrom = pos + 1;
                descrTo = parseString();
            }
            case 1 -> fortranOrder = parseBool();
            default -> parseShape();
        }
    }

    /** Parses a quoted string without escapes; returns the index of its closing quote (exclusive end). */
    private int parseString() throws Rejection {
        int quote = peek();
        if (quote != '\'' && quote != '"') {
            throw bad("expected a quoted string");
        }
        pos++;
        int from = pos;
        while (pos < end && b[pos] != quote) {
            if (b[pos] < 0x20 || b[pos] > 0x7e || b[pos] == '\\') {
                throw bad("strings must be printable ASCII without escapes");
            }
            pos++;
        }
        if (pos == end) {
            throw bad("unterminated string");
        }
        int to = pos;
        pos++;
        return to;
    }

    private boolean parseBool() throws Rejection {
        if (startsWith(pos, "True") && !identifierAt(pos + 4)) {
            pos += 4;
            return true;
        }
        if (startsWith(pos, "False") && !identifierAt(pos + 5)) {
            pos += 5;
            return false;
        }
        throw bad("'fortran_order' must be True or False");
    }

    private void parseShape() throws Rejection {
        if (peek() != '(') {
            throw bad("'shape' must be a tuple such as (1, 28, 28)");
        }
        pos++;
        rank = 0;
        boolean trailingComma = false;
        skipWs();
        while (peek() != ')') {
            if (rank == shape.length) {
                throw bad("shape has more than " + shape.length + " dimensions");
            }
            shape[rank++] = parseDim();
            skipWs();
            trailingComma = peek() == ',';
            if (trailingComma) {
                pos++;
                skipWs();
            } else if (peek() != ')') {
                throw bad("expected ',' or ')' in shape");
            }
        }
        pos++;
        if (rank == 1 && !trailingComma) {
            throw bad("a one-dimensional shape needs a trailing comma, as in (3,)");
        }
    }

    private int parseDim() throws Rejection {
        int from = pos;
        long value = 0;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            value = value * 10 + (b[pos] - '0');
            if (value > Integer.MAX_VALUE) {
                throw bad("shape dimension is larger than " + Integer.MAX_VALUE);
            }
            pos++;
        }
        if (pos == from) {
            throw bad("shape dimensions must be non-negative integers");
        }
        if (b[from] == '0' && pos - from > 1) {
            throw bad("shape dimension has a leading zero");
        }
        return (int) value;
    }

    private boolean identifierAt(int i) {
        return i < end && (Character.isLetterOrDigit(b[i]) || b[i] == '_');
    }

    @Override
    Rejection bad(String what) {
        return new Rejection(RejectReason.BAD_HEADER, "NPY header: " + what + " at byte " + pos
                + " near " + Text.quote(b, Math.min(pos, end), end));
    }
}
