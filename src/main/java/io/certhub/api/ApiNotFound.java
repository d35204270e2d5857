package io.certhub.api;

import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * An unknown path under {@code /api/} answers like every other API error:
 * {@code application/problem+json} (RFC 9457) 404 with code {@code NOT_FOUND}, instead of
 * Spring's default error JSON (issue 11 §5). Other unknown paths (the dashboard's) keep Spring's
 * default answer.
 */
@RestControllerAdvice
public class ApiNotFound {

    /**
     * @param request the request no route or static file answered
     * @param e       Spring's not-found signal
     * @return 404 problem+json for /api/ paths; Spring's own 404 otherwise
     * @throws Exception {@code e} again for paths outside /api/
     */
    @ExceptionHandler({NoResourceFoundException.class, NoHandlerFoundException.class})
    public ResponseEntity<Map<String, Object>> notFound(HttpServletRequest request, Exception e) throws Exception {
        String path = request.getRequestURI();
        if (path == null || !path.startsWith("/api/")) {
            throw e;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", "Not Found");
        body.put("status", 404);
        body.put("detail", "no API endpoint at " + request.getMethod() + " " + path.replaceAll("[^\\x20-\\x7e]", "?"));
        body.put("code", "NOT_FOUND");
        body.put("field", null);
        return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
    }
}
