package io.varshift.trainer.jobs;

/** A job parameter is missing or out of range; names the field so REST and CLI can point at it. */
public final class InvalidRequestException extends IllegalArgumentException {

    private final String field;

    public InvalidRequestException(String field, String detail) {
        super(field + ": " + detail);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** The message without the field prefix. */
    public String detail() {
        return getMessage().substring(field.length() + 2);
    }
}
