package io.varshift.core.json;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;

/**
 * The one place for JSON in Varshift: the shared {@link ObjectMapper} and how text is written.
 *
 * <ul>
 *   <li>Reading accepts the non-finite numbers {@code NaN}, {@code Infinity} and {@code -Infinity}
 *       (Varshift has always written them as bare tokens) and refuses anything after the first value.</li>
 *   <li>Writing keeps non-finite numbers as the bare tokens {@code NaN}, {@code Infinity},
 *       {@code -Infinity} (not strings), writes doubles as {@link Double#toString(double)} and floats
 *       as {@link Float#toString(float)}, and escapes strings as Gson did: {@code \"}, {@code \\},
 *       {@code \t \b \n \r \f}, other control characters and U+2028/U+2029 as six-character
 *       escapes with lower-case hex digits; no HTML escaping, other characters as they are (UTF-8).</li>
 *   <li>{@link #pretty} is the indented layout of every file people read (model.json, reports): two
 *       spaces, {@code "key": value}, one array element per line, {@code {}} and {@code []} when
 *       empty, {@code \n} line ends, no final line end.</li>
 * </ul>
 *
 * <p>The mapper is thread-safe and shared: configure nothing on it; for other settings derive an
 * {@code ObjectReader}/{@code ObjectWriter} from it, or take {@code mapper().copy()}.
 */
public final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder(new JsonFactoryBuilder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
                    // Gson's string escapes: lower-case hex, U+2028/U+2029 escaped, characters outside the
                    // BMP as UTF-8 (not as two escaped surrogates) when writing bytes
                    .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                    .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                    .characterEscapes(new LineSeparatorEscapes())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final DefaultIndenter INDENTER = new DefaultIndenter("  ", "\n");

    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withObjectIndenter(INDENTER)
            .withArrayIndenter(INDENTER));

    private static final ObjectWriter COMPACT = MAPPER.writer();

    /** Jackson's "[Source: ...; line: 3, column: 7]" inside a parse message. */
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

    private Json() {
    }

    /** The shared mapper (thread-safe; do not reconfigure it). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The writer behind {@link #pretty} (immutable, thread-safe), e.g. to write to a stream. */
    public static ObjectWriter prettyWriter() {
        return PRETTY;
    }

    /** A new empty object node. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** A new empty array node. */
    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /**
     * Indented text of a tree or of any value the mapper can write, without a final line end.
     *
     * @throws UncheckedIOException when the value cannot be written (not for trees)
     */
    public static String pretty(Object value) {
        return write(PRETTY, value);
    }

    /**
     * One-line text of a tree or of any value the mapper can write. Use this, not
     * {@code JsonNode.toString()}, for text that is stored, sent or shown: {@code toString()} writes
     * NaN as the string "NaN" and escapes strings differently.
     *
     * @throws UncheckedIOException when the value cannot be written (not for trees)
     */
    public static String compact(Object value) {
        return write(COMPACT, value);
    }

    /**
     * Parses one JSON value.
     *
     * @throws IllegalArgumentException when {@code text} is not one valid JSON value; the message
     *     says what is wrong and where ({@link #describe})
     */
    public static JsonNode parse(String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text == null ? "" : text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new IllegalArgumentException("no JSON value: the text is empty");
        }
        return node;
    }

    /**
     * Parses one JSON object.
     *
     * @throws IllegalArgumentException when {@code text} is not valid JSON or not an object
     */
    public static ObjectNode parseObject(String text) {
        JsonNode node = parse(text);
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, got " + abbreviate(node));
        }
        return (ObjectNode) node;
    }

    /**
     * What a parse failure says and where, e.g. {@code Unexpected end-of-input: expected close marker
     * for Array (start marker at line 1 column 12) at line 1 column 13}.
     */
    public static String describe(JsonProcessingException e) {
        String what = e.getOriginalMessage();
        int newline = what == null ? -1 : what.indexOf('\n');
        if (newline >= 0) {
            what = what.substring(0, newline);
        }
        what = what == null ? "invalid JSON" : SOURCE.matcher(what).replaceAll("line $1 column $2");
        if (e.getLocation() == null || e.getLocation().getLineNr() < 1) {
            return what;
        }
        return what + " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
    }

    /** {@link #compact} text cut to 60 characters and "...": how error messages show a value. */
    public static String abbreviate(JsonNode node) {
        String s = node == null ? "null" : compact(node);
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /**
     * Jackson's standard string escapes plus the line and paragraph separators U+2028 and U+2029, which
     * Gson escaped too (JavaScript reads them as line ends).
     */
    private static final class LineSeparatorEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private static final SerializedString LINE_SEPARATOR = new SerializedString("\\u2028");
        private static final SerializedString PARAGRAPH_SEPARATOR = new SerializedString("\\u2029");
        private static final int[] ASCII = standardAsciiEscapesForJSON();

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == 0x2028 ? LINE_SEPARATOR : ch == 0x2029 ? PARAGRAPH_SEPARATOR : null;
        }
    }

    private static String write(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }
}
