package io.varshift.agent;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * SmallRye health: liveness = the loop polls and has not given up; readiness = joined the group, every
 * model loaded and the broker answers (see {@link AgentHealthState}).
 */
final class AgentHealth {

    private AgentHealth() {
    }

    private static HealthCheckResponse response(String name, AgentHealthState health, boolean live) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name);
        if (health == null) {
            return b.down().withData("state", "starting").build();
        }
        b.status(live ? health.live() : health.ready());
        Map<String, Object> data = live ? health.liveData() : health.readyData();
        data.forEach((k, v) -> b.withData(k, v.toString()));
        return b.build();
    }

    @Liveness
    @ApplicationScoped
    static class LoopAlive implements HealthCheck {
        @Inject
        AgentService agent;

        @Override
        public HealthCheckResponse call() {
            return response("varshift-agent-loop", agent.health(), true);
        }
    }

    @Readiness
    @ApplicationScoped
    static class Ready implements HealthCheck {
        @Inject
        AgentService agent;

        @Override
        public HealthCheckResponse call() {
            return response("varshift-agent-ready", agent.health(), false);
        }
    }
}
