package io.varshift.trainer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.varshift.core.artifact.ArtifactException;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.json.Json;
import io.varshift.trainer.TrainerJobs;
import io.varshift.trainer.remediation.RemediationController;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.NoSuchElementException;

/** The model store and the reports that report jobs wrote; a rollback publishes an earlier version again. */
@Path("/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    private final TrainerJobs jobs;
    private final ObjectMapper mapper;
    private final RemediationController remediation;

    ModelsResource(TrainerJobs jobs, ObjectMapper mapper, RemediationController remediation) {
        this.jobs = jobs;
        this.mapper = mapper;
        this.remediation = remediation;
    }

    public record Model(String name, int latestVersion, List<Integer> versions) {
    }

    public record Version(String name, int version, JsonNode model) {
    }

    @GET
    @Operation(summary = "Models in the store with their versions")
    public List<Model> list() {
        ModelStore store = jobs.store();
        return store.models().stream()
                .map(name -> new Model(name, store.latestVersion(name).orElse(0), store.versions(name)))
                .toList();
    }

    @GET
    @Path("{name}/versions")
    @Operation(summary = "A model's versions with their model.json (spec, training summary, provenance)")
    public List<Version> versions(@PathParam("name") String name) {
        List<Integer> versions = jobs.store().versions(checkName(name));
        if (versions.isEmpty()) {
            throw ProblemException.notFound("model '" + name + "' has no versions; GET /models lists the models");
        }
        return versions.stream().map(v -> {
            ModelArtifact artifact = load(name, v);
            return new Version(name, v, artifact.modelJson());
        }).toList();
    }

    @GET
    @Path("{name}/versions/{version}/report")
    @Operation(summary = "The variance-shift report of a version (written by a report job)")
    public JsonNode report(@PathParam("name") String name, @PathParam("version") String version) {
        int v = checkVersion(version);
        load(checkName(name), v);
        java.nio.file.Path file = jobs.reports().jsonFile(name, v);
        if (!Files.isRegularFile(file)) {
            throw ProblemException.notFound("model '" + name + "' v" + v + " has no report yet; submit"
                    + " {\"type\":\"report\",\"model\":\"" + name + "\",\"version\":" + v + "} to POST /jobs");
        }
        try {
            return mapper.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @POST
    @Path("{name}/rollback")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Publish a copy of an earlier version as the next version: body {\"version\": N}")
    @SecurityRequirement(name = "bearer")
    public Response rollback(@PathParam("name") String name, String body) {
        checkName(name);
        int version = rollbackVersion(body);
        try {
            return Response.status(Response.Status.CREATED).entity(remediation.rollback(name, version)).build();
        } catch (NoSuchElementException e) {
            throw ProblemException.notFound(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ProblemException.conflict(e.getMessage());
        }
    }

    private int rollbackVersion(String body) {
        if (body == null || body.isBlank() || body.length() > JobsResource.MAX_BODY_CHARS) {
            throw ProblemException.badRequest("version", "a body {\"version\": N} naming the version to roll back to"
                    + " is required");
        }
        JsonNode parsed = JobsResource.parse(mapper, body);
        if (!parsed.isObject() || !parsed.has("version") || parsed.size() != 1) {
            throw ProblemException.badRequest("version", "the body must be {\"version\": N} and nothing else, got "
                    + JobsResource.abbreviate(Json.compact(parsed)));
        }
        return checkVersion(Json.compact(parsed.get("version")));
    }

    private ModelArtifact load(String name, int version) {
        try {
            return jobs.store().load(name, version);
        } catch (ArtifactException e) {
            if (!jobs.store().versions(name).contains(version)) {
                throw ProblemException.notFound(e.getMessage());
            }
            throw new ProblemException(Response.Status.INTERNAL_SERVER_ERROR, e.getMessage(),
                    null, null);
        }
    }

    private static String checkName(String name) {
        if (!ModelStore.isValidModelName(name)) {
            throw ProblemException.badRequest("name", "'" + JobsResource.abbreviate(name) + "' is not a valid model"
                    + " name; use 1-64 lower-case letters, digits, '.', '_' or '-', without '..'");
        }
        return name;
    }

    private static int checkVersion(String version) {
        if (version.matches("[1-9][0-9]{0,8}")) {
            return Integer.parseInt(version);
        }
        throw ProblemException.badRequest("version", "'" + JobsResource.abbreviate(version) + "' is not a version;"
                + " use a positive whole number");
    }
}
