package io.varshift.trainer.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** RFC 9457 problem details; {@code field} names the offending request field when there is one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field) {

    public static final String MEDIA_TYPE = "application/problem+json";
}
