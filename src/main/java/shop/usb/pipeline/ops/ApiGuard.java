package shop.usb.pipeline.ops;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import io.vertx.core.net.SocketAddress;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;

/**
 * Who may change things (submit orders, cancel, retry): with pipeline.api.token set, a request
 * bearing that token; without it, only a request from this machine (loopback).
 */
public class ApiGuard {

    public static final String BEAN_NAME = "apiGuard";
    private static final String BEARER = "Bearer ";

    private final String token;

    public ApiGuard(String token) {
        this.token = token == null ? "" : token;
    }

    public void requireOperator(Exchange exchange) {
        String authorization = exchange.getMessage().getHeader("Authorization", String.class);
        exchange.getMessage().removeHeader("Authorization");
        if (!token.isEmpty()) {
            if (authorization == null || !authorization.startsWith(BEARER)) {
                throw new ApiProblem(401, "UNAUTHORIZED", "This request needs 'Authorization: Bearer <token>'",
                        List.of());
            }
            if (!MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                    authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8))) {
                throw new ApiProblem(401, "UNAUTHORIZED", "The bearer token is not valid", List.of());
            }
            return;
        }
        if (!fromLoopback(exchange)) {
            throw new ApiProblem(403, "FORBIDDEN",
                    "Without pipeline.api.token only requests from this machine may change jobs", List.of());
        }
    }

    private static boolean fromLoopback(Exchange exchange) {
        Object remote = exchange.getMessage().getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS);
        if (!(remote instanceof SocketAddress address) || address.hostAddress() == null) {
            return false;
        }
        try {
            // An IP literal: no name lookup happens.
            return InetAddress.getByName(address.hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
