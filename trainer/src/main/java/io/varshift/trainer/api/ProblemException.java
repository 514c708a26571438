package io.varshift.trainer.api;

import jakarta.ws.rs.core.Response;

/** Thrown by resources to answer with a problem+json body. */
final class ProblemException extends RuntimeException {

    final Response.StatusType status;
    final String field;
    final Integer retryAfterSeconds;

    ProblemException(Response.StatusType status, String detail, String field, Integer retryAfterSeconds) {
        super(detail);
        this.status = status;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static ProblemException badRequest(String field, String detail) {
        return new ProblemException(Response.Status.BAD_REQUEST, detail, field, null);
    }

    static ProblemException notFound(String detail) {
        return new ProblemException(Response.Status.NOT_FOUND, detail, null, null);
    }

    static ProblemException conflict(String detail) {
        return new ProblemException(Response.Status.CONFLICT, detail, null, null);
    }
}
