package io.varshift.core.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Strict typed reads of one JSON object's fields (reference.json, model.json, records): every
 * failure is an {@link IllegalArgumentException} that names the object, the field, what was found
 * and what is expected, e.g. {@code layer 'bn1': field 'channels' = "two" must be a number}.
 * A field that is absent or JSON {@code null} is missing.
 */
public final class JsonFields {

    private final String owner;
    private final ObjectNode object;

    /**
     * @param owner what the object is, for messages (e.g. "layer 'bn1'")
     * @param object the object to read; null (or JSON null) is reported as a missing object, any other
     *     value that is not an object as what it is
     */
    public JsonFields(String owner, JsonNode object) {
        if (object == null || object.isNull() || object.isMissingNode()) {
            throw new IllegalArgumentException(owner + ": expected a JSON object, got null");
        }
        if (!object.isObject()) {
            throw new IllegalArgumentException(owner + ": expected a JSON object, got " + Json.abbreviate(object));
        }
        this.owner = owner;
        this.object = (ObjectNode) object;
    }

    private JsonNode field(String name) {
        JsonNode e = object.get(name);
        if (e == null || e.isNull()) {
            throw new IllegalArgumentException(owner + ": missing field '" + name + "'");
        }
        return e;
    }

    private IllegalArgumentException wrong(String name, JsonNode e, String expected) {
        return new IllegalArgumentException(owner + ": field '" + name + "' = " + Json.abbreviate(e)
                + " must be " + expected);
    }

    public String string(String name) {
        JsonNode e = field(name);
        if (!e.isTextual()) {
            throw wrong(name, e, "a string");
        }
        return e.textValue();
    }

    public boolean bool(String name) {
        JsonNode e = field(name);
        if (!e.isBoolean()) {
            throw wrong(name, e, "true or false");
        }
        return e.booleanValue();
    }

    /** A finite number. */
    public double number(String name) {
        JsonNode e = field(name);
        if (!e.isNumber()) {
            throw wrong(name, e, "a number");
        }
        double v = e.doubleValue();
        if (!Double.isFinite(v)) {
            throw wrong(name, e, "a finite number");
        }
        return v;
    }

    /** A whole number within ±2^53 (exact as a JSON number); 3.0 counts, 3.5 does not. */
    public long longValue(String name) {
        double v = number(name);
        if (v != Math.rint(v) || Math.abs(v) > (1L << 53)) {
            throw wrong(name, field(name), "an integer");
        }
        return (long) v;
    }

    /** A whole number that fits an {@code int}. */
    public int integer(String name) {
        long v = longValue(name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw wrong(name, field(name), "a 32-bit integer");
        }
        return (int) v;
    }

    public ObjectNode object(String name) {
        JsonNode e = field(name);
        if (!e.isObject()) {
            throw wrong(name, e, "an object");
        }
        return (ObjectNode) e;
    }

    public ArrayNode array(String name) {
        JsonNode e = field(name);
        if (!e.isArray()) {
            throw wrong(name, e, "an array");
        }
        return (ArrayNode) e;
    }

    /** An array of finite numbers. */
    public double[] doubles(String name) {
        return doubles(name, array(name));
    }

    private double[] doubles(String name, ArrayNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = a.get(i);
            if (!e.isNumber() || !Double.isFinite(e.doubleValue())) {
                throw new IllegalArgumentException(owner + ": field '" + name + "'[" + i + "] = " + Json.abbreviate(e)
                        + " must be a finite number");
            }
            out[i] = e.doubleValue();
        }
        return out;
    }

    /** An array of {@code rows} arrays of finite numbers. */
    public double[][] matrix(String name, int rows) {
        ArrayNode a = array(name);
        if (a.size() != rows) {
            throw new IllegalArgumentException(owner + ": field '" + name + "' has " + a.size() + " rows; expected " + rows);
        }
        double[][] out = new double[rows][];
        for (int i = 0; i < rows; i++) {
            JsonNode e = a.get(i);
            if (!e.isArray()) {
                throw new IllegalArgumentException(owner + ": field '" + name + "'[" + i + "] must be an array");
            }
            out[i] = doubles(name + "[" + i + "]", (ArrayNode) e);
        }
        return out;
    }

    /** An array of non-negative whole numbers (counts). */
    public long[] counts(String name) {
        double[] values = doubles(name);
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] != Math.rint(values[i])) {
                throw new IllegalArgumentException(owner + ": field '" + name + "'[" + i + "] = " + values[i]
                        + " must be a non-negative integer");
            }
            out[i] = (long) values[i];
        }
        return out;
    }

    /** Writes counts as a JSON array of integers. */
    public static ArrayNode array(long[] values) {
        ArrayNode a = Json.array();
        for (long v : values) {
            a.add(v);
        }
        return a;
    }

    /** Writes values as a JSON array of numbers (non-finite ones as bare NaN / Infinity tokens). */
    public static ArrayNode array(double[] values) {
        ArrayNode a = Json.array();
        for (double v : values) {
            a.add(v);
        }
        return a;
    }
}
