package io.varshift.trainer.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The remediation loop's REST contract with the loop off: rollback, approval and their errors. */
@QuarkusTest
class RemediationApiTest {

    private static io.restassured.specification.RequestSpecification authorized() {
        return given().header("Authorization", "Bearer " + JobsApiTest.TOKEN);
    }

    private static ValidatableResponse problem(ValidatableResponse r, int status) {
        return r.statusCode(status).contentType("application/problem+json").body("status", equalTo(status));
    }

    private static void train(String model) throws InterruptedException {
        String id = authorized().contentType(ContentType.JSON).body(JobsApiTest.SMALL_TRAIN.formatted(model))
                .post("/jobs").then().statusCode(202).extract().path("id");
        assertThat(JobsApiTest.awaitFinished(id)).isEqualTo("SUCCEEDED");
    }

    @Test
    void rollbackApproveAndDeclineNeedTheToken() {
        problem(given().contentType(ContentType.JSON).body("{\"version\":1}").post("/models/m/rollback").then(), 401);
        problem(given().post("/remediations/x/approve").then(), 401);
        problem(given().post("/remediations/x/decline").then(), 401);
    }

    @Test
    void anUnknownRemediationIs404AndTheListIsEmptyWithTheLoopOff() {
        given().get("/remediations").then().statusCode(200).body("size()", equalTo(0));
        problem(given().get("/remediations/nope").then(), 404).body("detail", containsString("GET /remediations"));
        problem(authorized().post("/remediations/nope/approve").then(), 404);
    }

    @Test
    void aRollbackPublishesACopyOfTheEarlierVersionAsTheNextOne() throws InterruptedException {
        // A model of its own per run: the test store outlives a run when the build folder is kept.
        String model = "rollback-" + Long.toHexString(System.nanoTime());
        train(model);
        train(model);
        String answer = authorized().contentType(ContentType.JSON).body("{\"version\": 1}")
                .post("/models/" + model + "/rollback").then().statusCode(201)
                .body("version", equalTo(3)).body("rolledBackTo", equalTo(1)).body("from", equalTo(2))
                .body("audited", equalTo(false)).extract().asString();
        assertThat(answer).contains("\"model\":\"" + model + "\"");
        given().get("/models/" + model + "/versions").then().statusCode(200)
                .body("find { it.version == 3 }.model.provenance.method", equalTo("rollback"))
                .body("find { it.version == 3 }.model.provenance.to", equalTo(1))
                .body("find { it.version == 3 }.model.training.heldOutSamples", equalTo(300));
        problem(authorized().contentType(ContentType.JSON).body("{\"version\": 3}").post("/models/" + model + "/rollback")
                .then(), 409).body("detail", containsString("already the latest"));
        problem(authorized().contentType(ContentType.JSON).body("{\"version\": 9}").post("/models/" + model + "/rollback")
                .then(), 404).body("detail", containsString("has no version 9"));
    }

    @Test
    void aBadRollbackBodyIs400NamingTheField() {
        problem(authorized().contentType(ContentType.JSON).body("{\"version\": 1, \"force\": true}")
                .post("/models/m/rollback").then(), 400).body("field", equalTo("version"));
        problem(authorized().contentType(ContentType.JSON).body("{\"version\": \"one\"}")
                .post("/models/m/rollback").then(), 400).body("field", equalTo("version"));
        problem(authorized().contentType(ContentType.JSON).body("{\"version\": 1}")
                .post("/models/no-such-model/rollback").then(), 404).body("detail", containsString("no versions"));
    }
}
