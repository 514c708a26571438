package io.varshift.stack.replay;

/** A replay that cannot go on (broker unreachable, data missing); the command exits 1 with its message. */
final class ReplayException extends RuntimeException {

    ReplayException(String message) {
        super(message);
    }

    ReplayException(String message, Throwable cause) {
        super(message, cause);
    }
}
