package io.varshift.trainer.api;

import io.varshift.trainer.TrainerConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

/** Mutating requests need {@code Authorization: Bearer <varshift.trainer.api-token>}; reads are open. */
class BearerTokenFilter {

    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final Optional<String> token;

    BearerTokenFilter(TrainerConfig config) {
        this.token = config.apiToken().filter(t -> !t.isBlank());
    }

    @ServerRequestFilter
    Optional<Response> authorize(ContainerRequestContext request) {
        if (!MUTATING.contains(request.getMethod()) || request.getUriInfo().getPath().startsWith("/q/")) {
            return Optional.empty();
        }
        if (token.isEmpty()) {
            return Optional.of(unauthorized("no API token is configured, so mutating requests are refused;"
                    + " set varshift.trainer.api-token (env VARSHIFT_TRAINER_API_TOKEN)"));
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.startsWith("Bearer ")) {
            return Optional.of(unauthorized("missing bearer token; send 'Authorization: Bearer <token>'"));
        }
        byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        // Constant-time comparison so the token cannot be guessed byte by byte from response times.
        if (!MessageDigest.isEqual(given, token.get().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(unauthorized("the bearer token is not valid"));
        }
        return Optional.empty();
    }

    private static Response unauthorized(String detail) {
        return Response.fromResponse(ProblemMappers.problem(Response.Status.UNAUTHORIZED, detail, null, null))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"varshift-trainer\"").build();
    }
}
