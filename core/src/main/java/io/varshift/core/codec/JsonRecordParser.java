package io.varshift.core.codec;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.nio.charset.StandardCharsets;

/**
 * Strict single-pass JSON parser for {@code {"shape": [...], "data": [...]}} that writes the numbers of
 * {@code data} straight into the target and records the nesting of {@code data} (regular arrays only).
 * Iterative, so deep nesting cannot overflow the stack.
 */
final class JsonRecordParser extends ByteCursor {
    private static final int MAX_DEPTH = SampleShape.MAX_RANK;
    /** Powers of ten exactly representable as doubles (Clinger's fast path). */
    private static final double[] POW10 = new double[23];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    private static final int AFTER_OPEN = 0;
    private static final int AFTER_COMMA = 1;
    private static final int AFTER_VALUE = 2;
    private static final byte NUMBERS = 1;
    private static final byte ARRAYS = 2;

    private final DecodeTarget target;
    private final int maxFloats;

    final int[] shape = new int[MAX_DEPTH];
    int shapeRank = -1;
    final int[] dataDims = new int[MAX_DEPTH];
    int dataRank = -1;
    int count;

    private JsonRecordParser(byte[] bytes, DecodeTarget target, int maxFloats) {
        super(bytes, 0, bytes.length);
        this.target = target;
        this.maxFloats = maxFloats;
    }

    static JsonRecordParser parse(byte[] bytes, DecodeTarget target, int maxFloats) throws Rejection {
        JsonRecordParser parser = new JsonRecordParser(bytes, target, maxFloats);
        parser.parseObject();
        return parser;
    }

    private void parseObject() throws Rejection {
        skipWs();
        if (peek() != '{') {
            throw bad("expected an object {\"shape\": [...], \"data\": [...]}");
        }
        pos++;
        skipWs();
        if (peek() == '}') {
            throw bad("the object has no 'shape' and 'data'");
        }
        while (true) {
            int from = pos + 1;
            int to = parseString();
            skipWs();
            expect(':');
            skipWs();
            if (regionEquals(from, to, "shape")) {
                if (shapeRank >= 0) {
                    throw bad("'shape' appears twice");
                }
                parseShape();
            } else if (regionEquals(from, to, "data")) {
                if (dataRank >= 0) {
                    throw bad("'data' appears twice");
                }
                parseData();
            } else {
                throw new Rejection(RejectReason.BAD_JSON, "unknown field " + Text.quote(b, from, to)
                        + "; a record has only 'shape' and 'data'");
            }
            skipWs();
            if (peek() == '}') {
                pos++;
                break;
            }
            expect(',');
            skipWs();
        }
        skipWs();
        if (pos != end) {
            throw bad("unexpected content after the object");
        }
        if (shapeRank < 0 || dataRank < 0) {
            throw new Rejection(RejectReason.BAD_JSON, "the object needs both 'shape' and 'data'; missing '"
                    + (shapeRank < 0 ? "shape" : "data") + "'");
        }
    }

    private void parseShape() throws Rejection {
        expect('[');
        shapeRank = 0;
        skipWs();
        if (peek() == ']') {
            pos++;
            return;
        }
        while (true) {
            if (shapeRank == MAX_DEPTH) {
                throw bad("'shape' has more than " + MAX_DEPTH + " dimensions");
            }
            int from = pos;
            long dim = 0;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9' && dim <= Integer.MAX_VALUE) {
                dim = dim * 10 + (b[pos++] - '0');
            }
            if (pos == from || dim > Integer.MAX_VALUE || (b[from] == '0' && pos - from > 1)
                    || (pos < end && (b[pos] == '.' || b[pos] == 'e' || b[pos] == 'E'))) {
                throw bad("'shape' entries must be integers in [0, " + Integer.MAX_VALUE + "]");
            }
            shape[shapeRank++] = (int) dim;
            skipWs();
            if (peek() == ']') {
                pos++;
                return;
            }
            expect(',');
            skipWs();
        }
    }

    /**
     * Parses {@code data}: counts[level] are the elements seen in the open array at that level,
     * kinds[level] whether arrays at that level hold numbers (1) or arrays (2), dataDims[level] their
     * common length; any disagreement means ragged data.
     */
    private void parseData() throws Rejection {
        int[] counts = new int[MAX_DEPTH];
        byte[] kinds = new byte[MAX_DEPTH];
        Arrays.fill(dataDims, -1);
        expect('[');
        int depth = 1;
        dataRank = 1;
        int state = AFTER_OPEN;
        while (depth > 0) {
            skipWs();
            int c = peek();
            int level = depth - 1;
            if (state == AFTER_VALUE && c == ',') {
                pos++;
                state = AFTER_COMMA;
            } else if (state != AFTER_COMMA && c == ']') {
                pos++;
                if (dataDims[level] < 0) {
                    dataDims[level] = counts[level];
                } else if (dataDims[level] != counts[level]) {
                    throw bad("'data' is ragged: arrays at depth " + level + " have " + dataDims[level]
                            + " and " + counts[level] + " elements");
                }
                depth--;
                if (depth > 0) {
                    counts[depth - 1]++;
                }
                state = AFTER_VALUE;
            } else if (state == AFTER_VALUE) {
                throw bad("expected ',' or ']' in 'data'");
            } else if (c == '[') {
                setKind(kinds, level, ARRAYS);
                if (depth == MAX_DEPTH) {
                    throw bad("'data' is nested deeper than " + MAX_DEPTH + " levels");
                }
                pos++;
                counts[depth] = 0;
                depth++;
                dataRank = Math.max(dataRank, depth);
                state = AFTER_OPEN;
            } else {
                setKind(kinds, level, NUMBERS);
                store(parseNumber());
                counts[level]++;
                state = AFTER_VALUE;
            }
        }
    }

    private void setKind(byte[] kinds, int level, byte kind) throws Rejection {
        if (kinds[level] != 0 && kinds[level] != kind) {
            throw bad("'data' mixes numbers and arrays at depth " + level);
        }
        kinds[level] = kind;
    }

    private void store(float value) throws Rejection {
        if (!Float.isFinite(value)) {
            throw BaseDecoder.notFinite(value, count);
        }
        if (count == maxFloats) {
            throw new Rejection(RejectReason.OVERSIZE, "'data' holds more than " + maxFloats
                    + " values (the sample limit times the sample size)");
        }
        target.ensureCapacityKeeping(count + 1);
        FloatBuffer out = target.raw();
        out.put(count++, value);
    }

    /** A JSON number rounded to float32 via double; NaN/Infinity tokens give a non-finite value. */
    private float parseNumber() throws Rejection {
        if (literalAt("NaN")) {
            return Float.NaN;
        }
        boolean negative = b[pos] == '-';
        if (negative) {
            pos++;
        }
        if (literalAt("Infinity")) {
            return negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        }
        int from = pos;
        long mantissa = 0;
        int digits = 0;
        int scale = 0;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            if (digits < 18) {
                mantissa = mantissa * 10 + (b[pos] - '0');
                digits += mantissa == 0 ? 0 : 1;
            } else {
                scale++;
                digits++;
            }
            pos++;
        }
        if (pos == from || (b[from] == '0' && pos - from > 1)) {
            throw bad("malformed number");
        }
        if (pos < end && b[pos] == '.') {
            pos++;
            int fracFrom = pos;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                if (digits < 18) {
                    mantissa = mantissa * 10 + (b[pos] - '0');
                    digits += mantissa == 0 ? 0 : 1;
                    scale--;
                } else {
                    digits++;
                }
                pos++;
            }
            if (pos == fracFrom) {
                throw bad("malformed number: no digits after '.'");
            }
        }
        long exponent = 0;
        if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
            boolean negativeExponent = pos < end && b[pos] == '-';
            if (pos < end && (b[pos] == '-' || b[pos] == '+')) {
                pos++;
            }
            int expFrom = pos;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                exponent = Math.min(exponent * 10 + (b[pos] - '0'), 1_000_000);
                pos++;
            }
            if (pos == expFrom) {
                throw bad("malformed number: no digits in the exponent");
            }
            exponent = negativeExponent ? -exponent : exponent;
        }
        long e10 = scale + exponent;
        double value;
        if (digits <= 15 && e10 >= -22 && e10 <= 22) {
            value = e10 >= 0 ? mantissa * POW10[(int) e10] : mantissa / POW10[(int) -e10];
        } else {
            value = Double.parseDouble(new String(b, from, pos - from, StandardCharsets.ISO_8859_1));
        }
        return (float) (negative ? -value : value);
    }

    private boolean literalAt(String literal) {
        if (!startsWith(pos, literal)) {
            return false;
        }
        pos += literal.length();
        return true;
    }

    /** Parses a JSON string (escapes validated, not decoded); returns the index of its closing quote. */
    private int parseString() throws Rejection {
        if (peek() != '"') {
            throw bad("expected a field name in double quotes");
        }
        pos++;
        while (true) {
            int c = peek();
            if (c == '"') {
                return pos++;
            }
            if (c >= 0 && c < 0x20) {
                throw bad("control character in string");
            }
            if (c == '\\') {
                pos++;
                int e = peek();
                if (e == 'u') {
                    for (int i = 0; i < 4; i++) {
                        pos++;
                        if (Character.digit(peek(), 16) < 0) {
                            throw bad("malformed \\u escape");
                        }
                    }
                } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                    throw bad("malformed escape");
                }
            }
            pos++;
        }
    }

    /** A syntax error; at the end of the value it means the value was cut short. */
    @Override
    Rejection bad(String what) {
        int at = Math.min(pos, end);
        return new Rejection(at == end ? RejectReason.TRUNCATED : RejectReason.BAD_JSON, "JSON: " + what + " at byte " + at + " near "
                + Text.quote(b, at, end));
    }
}
