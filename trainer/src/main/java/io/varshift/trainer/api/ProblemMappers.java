package io.varshift.trainer.api;

import io.varshift.trainer.jobs.InvalidRequestException;
import io.varshift.trainer.jobs.QueueFullException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as application/problem+json, never as a stack trace. */
class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    static Response problem(Response.StatusType status, String detail, String field, Integer retryAfter) {
        Response.ResponseBuilder b = Response.status(status.getStatusCode())
                .type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), detail, field));
        if (retryAfter != null) {
            b.header(HttpHeaders.RETRY_AFTER, retryAfter);
        }
        return b.build();
    }

    @ServerExceptionMapper
    Response problem(ProblemException e) {
        return problem(e.status, e.getMessage(), e.field, e.retryAfterSeconds);
    }

    @ServerExceptionMapper
    Response invalid(InvalidRequestException e) {
        return problem(Response.Status.BAD_REQUEST, e.getMessage(), e.field(), null);
    }

    @ServerExceptionMapper
    Response queueFull(QueueFullException e) {
        return problem(Response.Status.TOO_MANY_REQUESTS, e.getMessage(), null, e.retryAfterSeconds());
    }

    @ServerExceptionMapper
    Response web(WebApplicationException e) {
        Response r = e.getResponse();
        return problem(r.getStatusInfo(), e.getMessage(), null, null);
    }

    @ServerExceptionMapper
    Response unexpected(RuntimeException e) {
        LOG.error("unexpected error answering a request", e);
        return problem(Response.Status.INTERNAL_SERVER_ERROR, "internal error: " + e, null, null);
    }
}
