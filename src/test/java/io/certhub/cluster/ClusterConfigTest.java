package io.certhub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which databases get the in-memory inbox read lock: only those no second process can open. */
class ClusterConfigTest {

    @Test
    void onlyAnEmbeddedH2DatabaseIsSingleProcess() {
        assertThat(ClusterConfig.embeddedSingleProcess("jdbc:h2:file:/var/lib/certhub/db/certhub;MODE=PostgreSQL;WRITE_DELAY=0")).isTrue();
        assertThat(ClusterConfig.embeddedSingleProcess("jdbc:h2:mem:test;DB_CLOSE_DELAY=-1")).isTrue();
        assertThat(ClusterConfig.embeddedSingleProcess("jdbc:h2:./data/certhub")).isTrue();
        assertThat(ClusterConfig.embeddedSingleProcess("jdbc:h2:file:/x/certhub;AUTO_SERVER=TRUE")).isFalse();
        assertThat(ClusterConfig.embeddedSingleProcess("jdbc:h2:file:/x/certhub;auto_server = true")).isFalse();
        assertThat(ClusterConfig.embeddedSingleProcess("jdbc:h2:tcp://db.internal:9092/certhub")).isFalse();
        assertThat(ClusterConfig.embeddedSingleProcess("jdbc:h2:ssl://db.internal/certhub")).isFalse();
        assertThat(ClusterConfig.embeddedSingleProcess("jdbc:postgresql://db.internal:5432/certhub")).isFalse();
        assertThat(ClusterConfig.embeddedSingleProcess((String) null)).isFalse();
    }
}
