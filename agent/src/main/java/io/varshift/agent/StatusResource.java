package io.varshift.agent;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.varshift.agent.loop.AgentLoop;

/** GET /status: watched models, versions, open windows, per-layer alarm state and last statistics. */
@Path("/status")
public class StatusResource {

    private final AgentService agent;

    @Inject
    public StatusResource(AgentService agent) {
        this.agent = agent;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String status() {
        AgentLoop loop = agent.loop();
        return loop == null ? "{\"models\":[]}" : loop.status();
    }
}
