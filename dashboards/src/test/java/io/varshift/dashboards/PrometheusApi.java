package io.varshift.dashboards;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The two calls of Prometheus' HTTP API the end-to-end test needs: instant query and alerts. */
final class PrometheusApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    PrometheusApi(String url) {
        this.url = url;
    }

    /** Result vector (or scalar as one element) of an instant query; throws on a query error. */
    List<JsonNode> query(String expr) {
        JsonNode data = get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        List<JsonNode> results = new ArrayList<>();
        if ("scalar".equals(data.path("resultType").asText())) {
            results.add(data.path("result"));
        } else {
            data.path("result").forEach(results::add);
        }
        return results;
    }

    /** The single value of a query that returns one series, NaN when it returns none. */
    double value(String expr) {
        List<JsonNode> results = query(expr);
        if (results.isEmpty()) {
            return Double.NaN;
        }
        JsonNode value = results.get(0).has("value") ? results.get(0).path("value") : results.get(0);
        return Double.parseDouble(value.get(1).asText());
    }

    /** Active (pending or firing) alerts. */
    List<JsonNode> alerts() {
        List<JsonNode> alerts = new ArrayList<>();
        get("/api/v1/alerts").path("alerts").forEach(alerts::add);
        return alerts;
    }

    private JsonNode get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
                throw new IllegalStateException("Prometheus " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return body.path("data");
        } catch (IOException e) {
            throw new IllegalStateException("Prometheus " + url + path + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
