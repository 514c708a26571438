package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Field-by-field reading of a REST job body: optional fields with defaults, every error an
 * {@link InvalidRequestException} naming the field and what is allowed. (Core's required-field reader
 * reads stored files; a request needs defaults and errors a client can act on.)
 */
final class BodyFields {

    private final ObjectNode body;

    /** Reads {@code body}; a key outside {@code allowed} (plus "type") is an error naming it. */
    BodyFields(ObjectNode body, Set<String> allowed) {
        this.body = body;
        for (String key : (Iterable<String>) body::fieldNames) {
            if (!allowed.contains(key) && !key.equals("type")) {
                throw new InvalidRequestException(key, "unknown field; allowed fields are " + allowed);
            }
        }
    }

    /** Reads {@code body} without checking its keys. */
    static BodyFields lenient(ObjectNode body) {
        return new BodyFields(body);
    }

    private BodyFields(ObjectNode body) {
        this.body = body;
    }

    /** Whether the body has the field with a value other than null (null is the same as leaving it out). */
    static boolean present(ObjectNode body, String field) {
        return body.hasNonNull(field);
    }

    private JsonNode value(String field) {
        JsonNode e = body.get(field);
        return e == null || e.isNull() ? null : e;
    }

    String string(String field, String fallback) {
        JsonNode e = value(field);
        if (e == null) {
            if (fallback == null) {
                throw new InvalidRequestException(field, "is required");
            }
            return fallback;
        }
        if (!e.isTextual()) {
            throw new InvalidRequestException(field, "must be a string, got " + Json.compact(e));
        }
        return e.textValue();
    }

    Integer intOrNull(String field) {
        JsonNode e = value(field);
        if (e == null) {
            return null;
        }
        double d = number(field, e).doubleValue();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new InvalidRequestException(field, "must be a whole number, got " + Json.compact(e));
        }
        return (int) d;
    }

    int integer(String field, int fallback) {
        Integer v = intOrNull(field);
        return v == null ? fallback : v;
    }

    long longInteger(String field, long fallback) {
        JsonNode e = value(field);
        if (e == null) {
            return fallback;
        }
        try {
            return number(field, e).decimalValue().longValueExact();
        } catch (ArithmeticException ex) {
            throw new InvalidRequestException(field, "must be a whole number that fits 64 bits, got "
                    + Json.compact(e));
        }
    }

    double decimal(String field, double fallback) {
        JsonNode e = value(field);
        return e == null ? fallback : number(field, e).doubleValue();
    }

    List<Integer> integers(String field, List<Integer> fallback) {
        JsonNode e = value(field);
        if (e == null) {
            return fallback;
        }
        if (!e.isArray()) {
            throw new InvalidRequestException(field, "must be an array of whole numbers, got " + Json.compact(e));
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode item : e) {
            double d = number(field, item).doubleValue();
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw new InvalidRequestException(field, "must hold whole numbers, got " + Json.compact(item));
            }
            out.add((int) d);
        }
        return out;
    }

    /** A required array of numbers. */
    List<Double> decimals(String field) {
        JsonNode e = value(field);
        if (e == null) {
            throw new InvalidRequestException(field, "is required");
        }
        if (!e.isArray()) {
            throw new InvalidRequestException(field, "must be an array of numbers, got " + Json.compact(e));
        }
        List<Double> out = new ArrayList<>();
        for (JsonNode item : e) {
            out.add(number(field, item).doubleValue());
        }
        return out;
    }

    List<String> strings(String field) {
        JsonNode e = value(field);
        if (e == null) {
            return List.of();
        }
        if (!e.isArray()) {
            throw new InvalidRequestException(field, "must be an array of strings, got " + Json.compact(e));
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : e) {
            if (!item.isTextual()) {
                throw new InvalidRequestException(field, "must hold strings, got " + Json.compact(item));
            }
            out.add(item.textValue());
        }
        return out;
    }

    /** An optional object; absent or null reads as an empty one. */
    ObjectNode object(String field) {
        JsonNode e = value(field);
        if (e == null) {
            return body.objectNode();
        }
        if (!e.isObject()) {
            throw new InvalidRequestException(field, "must be a JSON object, got " + Json.compact(e));
        }
        return (ObjectNode) e;
    }

    private static JsonNode number(String field, JsonNode e) {
        if (!e.isNumber()) {
            throw new InvalidRequestException(field, "must be a number, got " + Json.compact(e));
        }
        return e;
    }
}
