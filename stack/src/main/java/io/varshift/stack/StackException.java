package io.varshift.stack;

/** A stack component could not be started, reached or stopped; the message says what to do. */
public class StackException extends RuntimeException {

    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
