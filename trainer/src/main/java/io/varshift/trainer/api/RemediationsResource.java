package io.varshift.trainer.api;

import io.varshift.trainer.remediation.RemediationController;
import io.varshift.trainer.remediation.RemediationView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.util.List;
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
    public List<RemediationView> list() {
        return controller.list();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One remediation")
    public RemediationView get(@PathParam("id") String id) {
        return controller.get(id).orElseThrow(() -> unknown(id));
    }

    @POST
    @Path("{id}/approve")
    @Operation(summary = "Publish a verified candidate that waits for approval (mode approve); 409 otherwise")
    @SecurityRequirement(name = "bearer")
    public RemediationView approve(@PathParam("id") String id) {
        try {
            return controller.approve(id);
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
    public RemediationView decline(@PathParam("id") String id) {
        try {
            return controller.decline(id);
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
