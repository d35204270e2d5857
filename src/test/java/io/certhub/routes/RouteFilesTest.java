package io.certhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The route files (routes/**.camel.yaml) as files: every route, route configuration and REST
 * operation has a kebab-case id, and no id is used twice across the files. Camel's YAML loader
 * lets a later route with an id already taken replace the earlier one without a word (the ACME
 * server's renewalInfo route once replaced the vendor side's ARI scan, both {@code acme-renewal-info}).
 */
class RouteFilesTest {

    static final Path ROUTES = Path.of("routes");

    @Test
    void everyIdIsKebabCaseAndUsedOnce() throws IOException {
        Map<String, List<String>> where = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(ROUTES)) {
            files = s.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(10);
        for (Path f : files) {
            try (Reader r = Files.newBufferedReader(f)) {
                Object doc = new Yaml().load(r);
                for (Object item : (List<?>) doc) {
                    Map<?, ?> entry = (Map<?, ?>) item;
                    for (Map.Entry<?, ?> e : entry.entrySet()) {
                        Map<?, ?> body = (Map<?, ?>) e.getValue();
                        String kind = String.valueOf(e.getKey());
                        assertThat(body.get("id")).as("%s in %s has an id", kind, f).isNotNull();
                        where.computeIfAbsent(String.valueOf(body.get("id")), k -> new ArrayList<>()).add(f + " " + kind);
                        if ("rest".equals(kind)) {
                            for (String verb : List.of("get", "post", "put", "patch", "delete", "head")) {
                                Object ops = body.get(verb);
                                if (ops instanceof List<?> list) {
                                    for (Object op : list) {
                                        Object id = ((Map<?, ?>) op).get("id");
                                        assertThat(id).as("a %s operation in %s has an id", verb, f).isNotNull();
                                        where.computeIfAbsent(String.valueOf(id), k -> new ArrayList<>()).add(f + " " + verb);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(where.keySet()).allSatisfy(id -> assertThat(id).matches("[a-z0-9]+(-[a-z0-9]+)*"));
        assertThat(where.entrySet().stream().filter(e -> e.getValue().size() > 1).map(e -> e.getKey() + " " + e.getValue()).toList())
            .as("ids used more than once").isEmpty();
    }
}
