package io.varshift.trainer.jobs;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Field-by-field reading of a JSON request body; every error names the field and what is allowed. */
final class JsonFields {

    private final JsonObject body;

    /** Reads {@code body}; a key outside {@code allowed} (plus "type") is an error naming it. */
    JsonFields(JsonObject body, Set<String> allowed) {
        this.body = body;
        for (String key : body.keySet()) {
            if (!allowed.contains(key) && !key.equals("type")) {
                throw new InvalidRequestException(key, "unknown field; allowed fields are " + allowed);
            }
        }
    }

    /** Reads {@code body} without checking its keys. */
    static JsonFields lenient(JsonObject body) {
        return new JsonFields(body);
    }

    private JsonFields(JsonObject body) {
        this.body = body;
    }

    String string(String field, String fallback) {
        JsonElement e = body.get(field);
        if (e == null || e.isJsonNull()) {
            if (fallback == null) {
                throw new InvalidRequestException(field, "is required");
            }
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new InvalidRequestException(field, "must be a string, got " + e);
        }
        return e.getAsString();
    }

    Integer intOrNull(String field) {
        JsonElement e = body.get(field);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        JsonPrimitive p = number(field, e);
        double d = p.getAsDouble();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new InvalidRequestException(field, "must be a whole number, got " + e);
        }
        return (int) d;
    }

    int integer(String field, int fallback) {
        Integer v = intOrNull(field);
        return v == null ? fallback : v;
    }

    long longInteger(String field, long fallback) {
        JsonElement e = body.get(field);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        JsonPrimitive p = number(field, e);
        try {
            return p.getAsBigDecimal().longValueExact();
        } catch (ArithmeticException ex) {
            throw new InvalidRequestException(field, "must be a whole number that fits 64 bits, got " + e);
        }
    }

    double decimal(String field, double fallback) {
        JsonElement e = body.get(field);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        return number(field, e).getAsDouble();
    }

    List<Integer> integers(String field, List<Integer> fallback) {
        JsonElement e = body.get(field);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonArray()) {
            throw new InvalidRequestException(field, "must be an array of whole numbers, got " + e);
        }
        List<Integer> out = new ArrayList<>();
        for (JsonElement item : e.getAsJsonArray()) {
            JsonPrimitive p = number(field, item);
            if (p.getAsDouble() != Math.rint(p.getAsDouble()) || Math.abs(p.getAsDouble()) > Integer.MAX_VALUE) {
                throw new InvalidRequestException(field, "must hold whole numbers, got " + item);
            }
            out.add(p.getAsInt());
        }
        return out;
    }

    /** A required array of numbers. */
    List<Double> decimals(String field) {
        JsonElement e = body.get(field);
        if (e == null || e.isJsonNull()) {
            throw new InvalidRequestException(field, "is required");
        }
        if (!e.isJsonArray()) {
            throw new InvalidRequestException(field, "must be an array of numbers, got " + e);
        }
        List<Double> out = new ArrayList<>();
        for (JsonElement item : e.getAsJsonArray()) {
            out.add(number(field, item).getAsDouble());
        }
        return out;
    }

    List<String> strings(String field) {
        JsonElement e = body.get(field);
        if (e == null || e.isJsonNull()) {
            return List.of();
        }
        if (!e.isJsonArray()) {
            throw new InvalidRequestException(field, "must be an array of strings, got " + e);
        }
        List<String> out = new ArrayList<>();
        for (JsonElement item : (JsonArray) e) {
            if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
                throw new InvalidRequestException(field, "must hold strings, got " + item);
            }
            out.add(item.getAsString());
        }
        return out;
    }

    JsonObject object(String field) {
        JsonElement e = body.get(field);
        if (e == null || e.isJsonNull()) {
            return new JsonObject();
        }
        if (!e.isJsonObject()) {
            throw new InvalidRequestException(field, "must be a JSON object, got " + e);
        }
        return e.getAsJsonObject();
    }

    private static JsonPrimitive number(String field, JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new InvalidRequestException(field, "must be a number, got " + e);
        }
        return e.getAsJsonPrimitive();
    }
}
