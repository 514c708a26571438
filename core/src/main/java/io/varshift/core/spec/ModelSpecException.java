package io.varshift.core.spec;

/**
 * A spec refused: the message names the value and the fix, {@link #field()} the spec field it is about
 * (e.g. {@code width}, {@code inputShape}), so that a REST answer can point at the request field
 * without reading the message.
 */
public final class ModelSpecException extends IllegalArgumentException {

    private final String field;

    public ModelSpecException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The spec field the refusal is about, as model.json names it. */
    public String field() {
        return field;
    }
}
