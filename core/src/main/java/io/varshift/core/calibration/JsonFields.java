package io.varshift.core.calibration;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * Strict typed reads of one JSON object's fields for the reference format (reference.json):
 * every failure names the object, the field, what was found and what is expected.
 */
public final class JsonFields {

    private final String owner;
    private final JsonObject object;

    /**
     * @param owner what the object is, for messages (e.g. "layer 'bn1'")
     * @param object the object to read; null is reported as a missing object
     */
    public JsonFields(String owner, JsonObject object) {
        if (object == null) {
            throw new IllegalArgumentException(owner + ": expected a JSON object, got null");
        }
        this.owner = owner;
        this.object = object;
    }

    private JsonElement field(String name) {
        JsonElement e = object.get(name);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException(owner + ": missing field '" + name + "'");
        }
        return e;
    }

    private IllegalArgumentException wrong(String name, JsonElement e, String expected) {
        return new IllegalArgumentException(owner + ": field '" + name + "' = " + abbreviate(e)
                + " must be " + expected);
    }

    private static String abbreviate(JsonElement e) {
        String s = e.toString();
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    public String string(String name) {
        JsonElement e = field(name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw wrong(name, e, "a string");
        }
        return e.getAsString();
    }

    /** A finite number. */
    public double number(String name) {
        JsonElement e = field(name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw wrong(name, e, "a number");
        }
        double v = e.getAsDouble();
        if (!Double.isFinite(v)) {
            throw wrong(name, e, "a finite number");
        }
        return v;
    }

    public long longValue(String name) {
        double v = number(name);
        if (v != Math.rint(v) || Math.abs(v) > (1L << 53)) {
            throw wrong(name, field(name), "an integer");
        }
        return (long) v;
    }

    public int integer(String name) {
        long v = longValue(name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw wrong(name, field(name), "a 32-bit integer");
        }
        return (int) v;
    }

    public JsonObject object(String name) {
        JsonElement e = field(name);
        if (!e.isJsonObject()) {
            throw wrong(name, e, "an object");
        }
        return e.getAsJsonObject();
    }

    public JsonArray array(String name) {
        JsonElement e = field(name);
        if (!e.isJsonArray()) {
            throw wrong(name, e, "an array");
        }
        return e.getAsJsonArray();
    }

    /** An array of finite numbers. */
    public double[] doubles(String name) {
        JsonArray a = array(name);
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement e = a.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || !Double.isFinite(e.getAsDouble())) {
                throw new IllegalArgumentException(owner + ": field '" + name + "'[" + i + "] = " + abbreviate(e)
                        + " must be a finite number");
            }
            out[i] = e.getAsDouble();
        }
        return out;
    }

    /** An array of {@code rows} arrays of finite numbers. */
    public double[][] matrix(String name, int rows) {
        JsonArray a = array(name);
        if (a.size() != rows) {
            throw new IllegalArgumentException(owner + ": field '" + name + "' has " + a.size() + " rows; expected " + rows);
        }
        double[][] out = new double[rows][];
        for (int i = 0; i < rows; i++) {
            JsonElement e = a.get(i);
            if (!e.isJsonArray()) {
                throw new IllegalArgumentException(owner + ": field '" + name + "'[" + i + "] must be an array");
            }
            JsonObject holder = new JsonObject();
            holder.add(name + "[" + i + "]", e);
            out[i] = new JsonFields(owner, holder).doubles(name + "[" + i + "]");
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
    public static JsonArray array(long[] values) {
        JsonArray a = new JsonArray(values.length);
        for (long v : values) {
            a.add(v);
        }
        return a;
    }

    /** Writes values as a JSON array of numbers. */
    public static JsonArray array(double[] values) {
        JsonArray a = new JsonArray(values.length);
        for (double v : values) {
            a.add(new JsonPrimitive(v));
        }
        return a;
    }
}
