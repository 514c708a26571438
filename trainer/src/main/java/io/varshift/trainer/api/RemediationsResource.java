package io.varshift.trainer.api;

import com.google.gson.JsonArray;
import io.varshift.trainer.remediation.RemediationController;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.util.NoSuchElementException;

/** The remediation loop's remediations; approving or declining a held candidate needs the bearer token. */
@Path("/remediations")
@Produces(MediaType.APPLICATION_JSON)
public class RemediationsResource {

    private final RemediationController controller;

    RemediationsResource(RemediationController controller) {
        this.controller = controller;
    }

    @GET
    @Operation(summary = "Remediations, oldest first: trigger, state, checks, published version")
    public String list() {
        JsonArray all = new JsonArray();
        controller.list().forEach(all::add);
        return all.toString();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One remediation")
    public String get(@PathParam("id") String id) {
        return controller.get(id).map(Object::toString).orElseThrow(() -> unknown(id));
    }

    @POST
    @Path("{id}/approve")
    @Operation(summary = "Publish a verified candidate that waits for approval (mode approve); 409 otherwise")
    @SecurityRequirement(name = "bearer")
    public String approve(@PathParam("id") String id) {
        try {
            return controller.approve(id).toString();
        } catch (NoSuchElementException e) {
            throw ProblemException.notFound(e.getMessage());
        } catch (IllegalStateException e) {
            throw ProblemException.conflict(e.getMessage());
        }
    }

    @POST
    @Path("{id}/decline")
    @Operation(summary = "Drop a verified candidate that waits for approval; nothing is published")
    @SecurityRequirement(name = "bearer")
    public String decline(@PathParam("id") String id) {
        try {
            return controller.decline(id).toString();
        } catch (NoSuchElementException e) {
            throw ProblemException.notFound(e.getMessage());
        } catch (IllegalStateException e) {
            throw ProblemException.conflict(e.getMessage());
        }
    }

    private static ProblemException unknown(String id) {
        return ProblemException.notFound("no remediation with id '" + JobsResource.abbreviate(id)
                + "'; GET /remediations lists them");
    }
}
