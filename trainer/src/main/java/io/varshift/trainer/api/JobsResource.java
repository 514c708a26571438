package io.varshift.trainer.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.trainer.jobs.JobDefaults;
import io.varshift.trainer.jobs.JobQueue;
import io.varshift.trainer.jobs.JobRequest;
import io.varshift.trainer.jobs.JobView;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.net.URI;
import java.time.Instant;
import java.util.List;

/** Submit, list, inspect and cancel jobs. Thin: validation lives in the job requests, work in the queue. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobsResource {

    /** Bodies larger than this are refused before parsing. */
    static final int MAX_BODY_CHARS = 64 * 1024;

    private final JobQueue queue;
    private final JobDefaults defaults;
    private final ObjectMapper mapper;

    JobsResource(JobQueue queue, JobDefaults defaults, ObjectMapper mapper) {
        this.queue = queue;
        this.defaults = defaults;
        this.mapper = mapper;
    }

    /** What the API shows of a job; {@code request} and {@code result} are the job's JSON. */
    public record Job(String id, String type, String model, String status, double progress, String phase,
                      String message, JsonNode request, JsonNode result, Instant submitted, Instant started,
                      Instant finished) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a job: {type: train|report|adjust-bn|recalibrate|import, model, ...parameters}")
    @SecurityRequirement(name = "bearer")
    public Response submit(String body, UriInfo uri) {
        if (body == null || body.isBlank()) {
            throw ProblemException.badRequest("body", "a JSON object is required, e.g. {\"type\":\"train\",\"model\":\"fmnist\"}");
        }
        if (body.length() > MAX_BODY_CHARS) {
            throw ProblemException.badRequest("body", "the body has " + body.length() + " characters; at most "
                    + MAX_BODY_CHARS);
        }
        JsonNode parsed = parse(mapper, body);
        if (!parsed.isObject()) {
            throw ProblemException.badRequest("body", "must be a JSON object, got " + abbreviate(Json.compact(parsed)));
        }
        JobView view = queue.submit(JobRequest.fromJson((ObjectNode) parsed, defaults));
        URI location = uri.getBaseUriBuilder().path("jobs").path(view.id()).build();
        return Response.accepted(toApi(view)).location(location).build();
    }

    @GET
    @Operation(summary = "List jobs, oldest first")
    public List<Job> list() {
        return queue.list().stream().map(this::toApi).toList();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A job's status, progress, message and result")
    public Job get(@PathParam("id") String id) {
        return queue.get(id).map(this::toApi).orElseThrow(() -> unknown(id));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Cancel a queued or running job (409 if it has finished)")
    @SecurityRequirement(name = "bearer")
    public Job cancel(@PathParam("id") String id) {
        try {
            return queue.cancel(id).map(this::toApi).orElseThrow(() -> unknown(id));
        } catch (IllegalStateException e) {
            throw ProblemException.conflict(e.getMessage());
        }
    }

    private static ProblemException unknown(String id) {
        return ProblemException.notFound("no job with id '" + abbreviate(id) + "'; GET /jobs lists the known jobs");
    }

    private Job toApi(JobView v) {
        return new Job(v.id(), v.type().wireName(), v.model(), v.status().name(), v.progress(), v.phase(),
                v.message(), v.request(), v.result(), v.submitted(), v.started(), v.finished());
    }

    /**
     * A request body as one JSON value; anything after it is an error too.
     *
     * @throws ProblemException 400 on field {@code body} when it is not valid JSON
     */
    static JsonNode parse(ObjectMapper mapper, String body) {
        try {
            return mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("body", "not valid JSON: " + Json.describe(e));
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
