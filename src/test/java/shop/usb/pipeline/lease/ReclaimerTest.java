package shop.usb.pipeline.lease;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.springframework.jdbc.core.JdbcTemplate;
import shop.usb.pipeline.crash.CrashPoints.Context;
import shop.usb.pipeline.device.Slot;
import shop.usb.pipeline.device.SlotFilesystem;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.device.SlotProbe;
import shop.usb.pipeline.job.JobLifecycle;
import shop.usb.pipeline.job.JobRun;
import shop.usb.pipeline.support.LoopStick;
import shop.usb.pipeline.support.OnEachDatabase;
import shop.usb.pipeline.support.Stations;
import shop.usb.pipeline.support.TestDatabase;

/**
 * The one rule for what a run leaves on a slot: whoever ends a lease without a delivery removes
 * what it names, then the row; the order folder only while the slot holds the stick it was written
 * on; nothing the lease does not name; and a lease whose files could not be removed stays.
 */
@OnEachDatabase
class ReclaimerTest {

    /** Leases that name a staging folder, as a folder slot's runs write them (the fuller case). */
    private static final boolean STAGED = true;

    @Parameter TestDatabase.Engine engine;
    @TempDir Path root;
    HikariDataSource dataSource;
    JobLifecycle jobs;
    Path slotPath;
    Stations station;

    @BeforeEach
    void openDatabase() throws IOException {
        dataSource = engine.create(root.resolve("db")).openMigrated();
        jobs = new JobLifecycle(dataSource, "test", Clock.systemUTC());
        slotPath = Files.createDirectories(root.resolve("usb/slot-1"));
        station = stations(slotPath);
    }

    @AfterEach
    void closeDatabase() {
        dataSource.close();
    }

    @Test
    void endingALeaseRemovesItsStagingFolderThenTheRowAndNothingElse() throws IOException {
        Lease lease = lease("ORD-1", stickNow());
        Path staging = Files.createDirectories(lease.stagingFolder().resolve("music"));
        Files.writeString(staging.resolve("track.mp3"), "half a song");
        Path otherOrder = Files.createDirectories(slotPath.resolve("ORD-0"));
        Path notPublished = Files.createDirectories(lease.orderFolder());

        assertThat(station.reclaimer().end(lease, Context.RUN)).isTrue();

        assertThat(lease.stagingFolder()).doesNotExist();
        assertThat(notPublished).as("an order folder the lease does not say it published").exists();
        assertThat(otherOrder).exists();
        assertThat(leases()).isEmpty();
    }

    @Test
    void aPublishedOrderFolderGoesOnlyWhileTheSlotHoldsTheStickItWasWrittenOn() throws IOException {
        Lease onThisStick = station.leases().recordPublish(lease("ORD-1", stickNow()));
        Files.createDirectories(onThisStick.orderFolder());
        assertThat(station.reclaimer().end(onThisStick, Context.STARTUP_RECOVERY)).isTrue();
        assertThat(onThisStick.orderFolder()).doesNotExist();

        // The stick the run wrote on was swapped for another one that holds an ORD-2 of its own.
        Lease onASwappedStick =
                station.leases().recordPublish(lease("ORD-2", "the stick the run wrote on"));
        Files.createDirectories(onASwappedStick.orderFolder());
        assertThat(station.reclaimer().end(onASwappedStick, Context.STARTUP_RECOVERY)).isTrue();
        assertThat(onASwappedStick.orderFolder()).as("another stick's folder").exists();
        assertThat(leases()).isEmpty();
    }

    @Test
    void onlyTheLeasesOfRunsThatAreNotAliveEndAtRecovery() throws IOException {
        Lease dead = lease("ORD-1", stickNow());
        Path other = Files.createDirectories(root.resolve("usb/slot-2"));
        Set<JobRun> running = new HashSet<>();
        Stations both = stations(running, slotPath, other);
        Lease alive =
                both.leases()
                        .write(
                                processing("ORD-2"),
                                "ORD-2",
                                Slot.of(other),
                                probe(other),
                                "folder slot-2",
                                STAGED)
                        .orElseThrow();
        Files.createDirectories(dead.stagingFolder());
        Files.createDirectories(alive.stagingFolder());
        running.add(alive.run());

        assertThat(both.reclaimer().endDeadRuns(Context.ABANDONED_RECOVERY)).isZero();

        assertThat(dead.stagingFolder()).doesNotExist();
        assertThat(alive.stagingFolder()).exists();
        assertThat(leases()).containsExactly(alive.run().jobId());
    }

    @Test
    void aRunStillAliveHereKeepsItsLeaseThoughItLostItsJobItEndsItWhenItStops() throws IOException {
        Set<JobRun> running = new HashSet<>();
        Stations here = stations(running, slotPath);
        Lease slow = lease("ORD-1", stickNow());
        running.add(slow.run());
        Path staging = Files.createDirectories(slow.stagingFolder());
        // Another instance's sweep took the job back: the lease is stale, its run still writes.
        processing("ORD-1");

        assertThat(here.reclaimer().endStale(slotPath, Context.TAKEOVER)).isFalse();
        assertThat(here.reclaimer().endStale(slotPath, Context.RELEASE)).isFalse();
        assertThat(staging).as("still the slow run's, and named by its lease").exists();

        running.remove(slow.run());
        assertThat(here.reclaimer().endStale(slotPath, Context.TAKEOVER)).isTrue();
        assertThat(staging).doesNotExist();
        assertThat(leases()).isEmpty();
    }

    @Test
    void aFolderSlotOutOfReachKeepsItsLeasesAndShowsWhy() throws IOException {
        Path share = Files.createDirectories(root.resolve("share/slot-1"));
        Stations folders =
                Stations.of(
                        "test-station",
                        dataSource,
                        SlotKind.FOLDER,
                        false,
                        Duration.ofSeconds(1),
                        List.of(share));
        folders.watch().scan();
        Lease lease =
                folders.leases()
                        .write(
                                processing("ORD-1"),
                                "ORD-1",
                                Slot.of(share),
                                probe(share),
                                "folder slot-1",
                                STAGED)
                        .orElseThrow();
        Files.createDirectories(lease.stagingFolder());
        Path away = root.resolve("share-away");
        Files.move(root.resolve("share"), away);

        assertThat(folders.reclaimer().end(lease, Context.STARTUP_RECOVERY)).isFalse();
        assertThat(leases()).hasSize(1);
        assertThat(folders.views().views().get(0).problem()).contains("could not all be removed");

        Files.move(away, root.resolve("share"));
        assertThat(folders.reclaimer().end(lease, Context.STARTUP_RECOVERY)).isTrue();
        assertThat(lease.stagingFolder()).doesNotExist();
    }

    @Test
    void aLeaseWhoseFilesCannotBeRemovedStaysForWhoeverEndsItNext() throws Exception {
        LoopStick.requireMountRights();
        Path stick = Files.createDirectories(root.resolve("usb/ro-1"));
        LoopStick.run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", stick.toString());
        try {
            Stations onTmpfs = stations(stick);
            Lease lease =
                    onTmpfs.leases()
                            .write(
                                    processing("ORD-1"),
                                    "ORD-1",
                                    Slot.of(stick),
                                    probe(stick),
                                    "tmpfs",
                                    STAGED)
                            .orElseThrow();
            Files.writeString(
                    Files.createDirectories(lease.stagingFolder()).resolve("a.mp3"), "bytes");
            LoopStick.run("mount", "-o", "remount,ro", stick.toString());

            assertThat(onTmpfs.reclaimer().end(lease, Context.RUN)).isFalse();
            assertThat(leases()).as("the lease stays").hasSize(1);

            LoopStick.run("mount", "-o", "remount,rw", stick.toString());
            assertThat(onTmpfs.reclaimer().end(lease, Context.RUN)).isTrue();
            assertThat(lease.stagingFolder()).doesNotExist();
            assertThat(leases()).isEmpty();
        } finally {
            LoopStick.run("umount", stick.toString());
        }
    }

    @Test
    void twoPartiesEndingOneLeaseTakeTurnsSoANewerRunsFolderIsNeverRemoved() throws Exception {
        Lease dead = station.leases().recordPublish(lease("ORD-1", stickNow()));
        CompletableFuture<Boolean> secondEnder;
        try (Connection first = dataSource.getConnection()) {
            first.setAutoCommit(false);
            // The first party holds the lease while it removes what it names...
            first.createStatement()
                    .executeQuery(
                            "SELECT * FROM usb_mount_leases WHERE run_token = '"
                                    + dead.run().token()
                                    + "' FOR UPDATE")
                    .close();
            secondEnder =
                    CompletableFuture.supplyAsync(
                            () -> station.reclaimer().end(dead, Context.TAKEOVER));
            Awaitility.await("the second party to wait for the first")
                    .during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> !secondEnder.isDone());
            // ...ends it, and a new run of the order takes the slot and publishes there.
            first.createStatement()
                    .executeUpdate(
                            "DELETE FROM usb_mount_leases WHERE run_token = '"
                                    + dead.run().token()
                                    + "'");
            first.commit();
        }
        Lease newer = station.leases().recordPublish(lease("ORD-1", stickNow()));
        Files.createDirectories(newer.orderFolder());

        assertThat(secondEnder.get()).isTrue();
        assertThat(newer.orderFolder()).as("the newer run's order folder").exists();
        assertThat(leases()).containsExactly(newer.run().jobId());
    }

    @Test
    void theWipeErasesOnlyASlotStillAsReadWithNoLeaseOnIt() throws IOException {
        new JdbcTemplate(dataSource)
                .update(
                        "INSERT INTO usb_slots (station, slot, path, kind, state, updated_at)"
                                + " VALUES ('test-station', 'slot-1', ?, 'STICK', 'FAULTY',"
                                + " CURRENT_TIMESTAMP)",
                        slotPath.toString());
        Path leftover = Files.createDirectories(slotPath.resolve("old-photos"));
        Slot slot = Slot.of(slotPath);

        assertThat(station.reclaimer().wipe(slot, "READY", null, List.of(leftover)))
                .as("the slot is no longer in the state the scan read")
                .isEmpty();
        Lease lease = lease("ORD-1", stickNow());
        assertThat(station.reclaimer().wipe(slot, "FAULTY", null, List.of(leftover)))
                .as("a run leased the slot meanwhile")
                .isEmpty();
        assertThat(leftover).exists();

        station.reclaimer().end(lease, Context.RUN);
        assertThat(station.reclaimer().wipe(slot, "FAULTY", null, List.of(leftover)))
                .isEqualTo(Optional.of(List.of(leftover)));
        assertThat(leftover).doesNotExist();
    }

    /** The lease of a new run of the order's job on slot-1, for the stick {@code stickId}. */
    private Lease lease(String orderId, String stickId) {
        return station.leases()
                .write(
                        processing(orderId),
                        orderId,
                        Slot.of(slotPath),
                        probe(slotPath),
                        stickId,
                        STAGED)
                .orElseThrow();
    }

    /** A run that owns the job of the order: a new job, or its earlier one claimed again. */
    private JobRun processing(String orderId) {
        String id =
                jobs.create(orderId, "normal", null, "{}")
                        .orElseGet(
                                () -> {
                                    new JdbcTemplate(dataSource)
                                            .update(
                                                    "UPDATE processing_jobs SET status = 'RETRYING',"
                                                            + " run_token = NULL WHERE order_id = ?",
                                                    orderId);
                                    return new JdbcTemplate(dataSource)
                                            .queryForObject(
                                                    "SELECT id FROM processing_jobs WHERE order_id = ?",
                                                    String.class,
                                                    orderId);
                                });
        return jobs.claim(JobRun.of(id), "test").orElseThrow().run();
    }

    private String stickNow() {
        return SlotKind.STICK.identify(Slot.of(slotPath), probe(slotPath)).id();
    }

    private static SlotFilesystem probe(Path slot) {
        return new SlotProbe(false).probe(slot).require();
    }

    private Stations stations(Path... slots) {
        return stations(Set.of(), slots);
    }

    /** A station of sticks whose {@code running} runs are alive in this process. */
    private Stations stations(Set<JobRun> running, Path... slots) {
        return Stations.of(
                "test-station",
                dataSource,
                SlotKind.STICK,
                false,
                Duration.ofSeconds(1),
                List.of(slots),
                running::contains);
    }

    private List<String> leases() {
        return new JdbcTemplate(dataSource)
                .queryForList("SELECT job_id FROM usb_mount_leases", String.class);
    }
}
