package io.varshift.core.codec;

/** A read position in untrusted bytes for the two small hand-written parsers (NPY header, JSON record). */
abstract class ByteCursor {
    final byte[] b;
    final int end;
    int pos;

    ByteCursor(byte[] bytes, int from, int to) {
        this.b = bytes;
        this.pos = from;
        this.end = to;
    }

    /** A syntax error at the current position, with the reason and message the format calls for. */
    abstract Rejection bad(String what);

    /** Whether {@code b[from, to)} is exactly {@code literal}. */
    final boolean regionEquals(int from, int to, String literal) {
        return to - from == literal.length() && startsWith(from, literal);
    }

    /** Whether {@code literal} starts at {@code from} within the parsed range. */
    final boolean startsWith(int from, String literal) {
        if (from + literal.length() > end) {
            return false;
        }
        for (int i = 0; i < literal.length(); i++) {
            if (b[from + i] != literal.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    final int peek() throws Rejection {
        if (pos >= end) {
            throw bad("unexpected end");
        }
        return b[pos];
    }

    final void expect(char c) throws Rejection {
        if (peek() != c) {
            throw bad("expected '" + c + "'");
        }
        pos++;
    }

    final void skipWs() {
        while (pos < end && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\t' || b[pos] == '\r')) {
            pos++;
        }
    }
}
