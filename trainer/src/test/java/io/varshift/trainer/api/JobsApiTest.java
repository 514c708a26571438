package io.varshift.trainer.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

/** The REST contract: status codes, problem+json bodies, auth, queue back-pressure, real jobs end to end. */
@QuarkusTest
class JobsApiTest {

    static final String TOKEN = "test-token";
    /** A small real training job: seconds on a CPU. */
    static final String SMALL_TRAIN = """
            {"type":"train","model":"%s","width":4,"limit":1000,"heldOut":300,"windowSizes":[64],"replicates":200}""";

    private static io.restassured.specification.RequestSpecification authorized() {
        return given().header("Authorization", "Bearer " + TOKEN);
    }

    private static ValidatableResponse problem(ValidatableResponse r, int status) {
        return r.statusCode(status).contentType("application/problem+json").body("status", equalTo(status))
                .body("title", notNullValue()).body("detail", notNullValue());
    }

    /** Polls a job until it has finished (the job's own speed is not under test). */
    static String awaitFinished(String id) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (Instant.now().isBefore(deadline)) {
            String status = given().get("/jobs/" + id).then().statusCode(200).extract().path("status");
            if (List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status)) {
                return status;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    @Test
    void submittingWithoutOrWithAWrongTokenIs401() {
        problem(given().contentType(ContentType.JSON).body(SMALL_TRAIN.formatted("a")).post("/jobs").then(), 401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("detail", containsString("missing bearer token"));
        problem(given().header("Authorization", "Bearer nope").contentType(ContentType.JSON)
                .body(SMALL_TRAIN.formatted("a")).post("/jobs").then(), 401)
                .body("detail", containsString("not valid"));
        problem(given().delete("/jobs/x").then(), 401);
    }

    @Test
    void invalidBodiesAre400NamingTheField() {
        problem(authorized().contentType(ContentType.JSON).body("{not json").post("/jobs").then(), 400)
                .body("field", equalTo("body"));
        problem(authorized().contentType(ContentType.JSON).body("[1]").post("/jobs").then(), 400)
                .body("field", equalTo("body"));
        problem(authorized().contentType(ContentType.JSON).body("{\"type\":\"fly\",\"model\":\"m\"}").post("/jobs")
                .then(), 400).body("field", equalTo("type"));
        problem(authorized().contentType(ContentType.JSON)
                .body("{\"type\":\"train\",\"model\":\"m\",\"epochs\":0}").post("/jobs").then(), 400)
                .body("field", equalTo("epochs")).body("detail", containsString("out of range"));
        problem(authorized().contentType(ContentType.JSON)
                .body("{\"type\":\"report\",\"model\":\"../../etc\"}").post("/jobs").then(), 400)
                .body("field", equalTo("model"));
        problem(authorized().contentType(ContentType.JSON)
                .body("{\"type\":\"recalibrate\",\"model\":\"m\",\"data\":\"../../etc\"}").post("/jobs").then(), 400)
                .body("field", equalTo("data"));
    }

    @Test
    void unknownThingsAre404AndBadNamesAre400() {
        problem(given().get("/jobs/no-such-job").then(), 404).body("detail", containsString("GET /jobs"));
        problem(authorized().delete("/jobs/no-such-job").then(), 404);
        problem(given().get("/models/no-such-model/versions").then(), 404);
        problem(given().get("/models/Bad..Name/versions").then(), 400).body("field", equalTo("name"));
        problem(given().get("/models/m/versions/first/report").then(), 400).body("field", equalTo("version"));
        problem(given().get("/nothing-here").then(), 404);
    }

    @Test
    void aTrainJobWritesAVersionThatIsListedReportedAndCannotBeCancelledAfterwards() throws Exception {
        String location = authorized().contentType(ContentType.JSON).body(SMALL_TRAIN.formatted("api-happy"))
                .post("/jobs").then().statusCode(202)
                .body("status", equalTo("QUEUED")).body("type", equalTo("train"))
                .body("request.width", equalTo(4))
                .extract().header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        assertThat(awaitFinished(id)).isEqualTo("SUCCEEDED");
        int version = given().get("/jobs/" + id).then().statusCode(200)
                .body("progress", equalTo(1.0f)).body("result.model", equalTo("api-happy"))
                .extract().path("result.version");
        given().get("/jobs").then().statusCode(200).body("id", hasItem(id));
        given().get("/models").then().statusCode(200).body("name", hasItem("api-happy"));
        given().get("/models/api-happy/versions").then().statusCode(200)
                .body("version", hasItem(version))
                .body("find { it.version == " + version + " }.model.training.trainingSamples", equalTo(1000));

        problem(given().get("/models/api-happy/versions/" + version + "/report").then(), 404)
                .body("detail", containsString("no report yet"));
        String report = authorized().contentType(ContentType.JSON)
                .body("{\"type\":\"report\",\"model\":\"api-happy\",\"limit\":500}")
                .post("/jobs").then().statusCode(202).extract().path("id");
        assertThat(awaitFinished(report)).isEqualTo("SUCCEEDED");
        given().get("/models/api-happy/versions/" + version + "/report").then().statusCode(200)
                .body("model", equalTo("api-happy")).body("layers.layer", hasItem("block1.bn1"));

        problem(authorized().delete("/jobs/" + id).then(), 409).body("detail", containsString("already finished"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("varshift_trainer_epoch_loss{model=\"api-happy\"}"))
                .body(containsString("varshift_trainer_device_info{device="));
    }

    @Test
    void aFullQueueIs429WithRetryAfterAndCancelledJobsEndCancelled() throws Exception {
        // Queue size is 1 in tests: one running plus one waiting job fill it.
        String full = "{\"type\":\"train\",\"model\":\"api-busy\",\"epochs\":50}";
        String running = authorized().contentType(ContentType.JSON).body(full).post("/jobs").then().statusCode(202)
                .extract().path("id");
        String waiting = authorized().contentType(ContentType.JSON).body(full).post("/jobs").then().statusCode(202)
                .extract().path("id");
        problem(authorized().contentType(ContentType.JSON).body(full).post("/jobs").then(), 429)
                .header("Retry-After", notNullValue())
                .body("detail", containsString("queue is full"));

        authorized().delete("/jobs/" + waiting).then().statusCode(200).body("status", equalTo("CANCELLED"));
        authorized().delete("/jobs/" + running).then().statusCode(200);
        assertThat(awaitFinished(running)).isEqualTo("CANCELLED");
        assertThat(awaitFinished(waiting)).isEqualTo("CANCELLED");
    }

    @Test
    void theOpenApiDocumentDescribesTheJobsApi() {
        given().get("/q/openapi?format=json").then().statusCode(200).body(containsString("/jobs/{id}"));
        given().get("/q/health/ready").then().statusCode(200);
    }
}
