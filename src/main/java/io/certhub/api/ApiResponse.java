package io.certhub.api;

/**
 * An API answer before it is written: status, JSON body (already serialised) and an optional
 * {@code Location}.
 *
 * @param status   HTTP status
 * @param json     body (JSON text)
 * @param location value of the Location header, or null
 */
public record ApiResponse(int status, String json, String location) { }
