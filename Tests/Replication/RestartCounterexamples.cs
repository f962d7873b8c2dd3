namespace Heck.Tests.Replication;

/// <summary>Counterexamples FsCheck found for <see cref="RestartProperties"/>, kept as fixed regression cases.</summary>
public sealed class RestartCounterexamples
{
    /// <summary>
    /// 1@1 writes and crashes before any gossip; 3@1 sees o1 live and crashes; 2@1 deletes o1. 1@2
    /// (a restart whose journal names no peers) never heard of 3@1, so it waits for no one and prunes
    /// the tombstone with 2@1 alone. 3@2 restarts on its journal (o1 live) and takes 1@2's vector,
    /// which covers the pruned tombstone's dot: 3@2 then never asks 2@1 for it, and keeps o1 for ever.
    /// </summary>
    [Fact]
    public void A_replica_that_never_heard_of_a_departed_one_does_not_prune_the_tombstone_its_peers_wait_for() =>
        new RestartProperties().Restarts_within_the_retention_lose_nothing_and_resurrect_nothing(new byte[] { 0, 0, 0, 0, 0, 1, 190, 0, 0, 0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 143, 0, 0, 0, 0, 0, 0, 31, 101, 118, 73, 17, 97, 198, 10, 85, 21, 163, 43, 160, 231, 41, 200, 163, 81, 68, 45, 17, 156, 83, 65, 193, 166, 106, 13, 226, 122, 138, 150, 230, 156, 156, 194, 240, 61, 33, 108, 45, 104, 238, 66, 17, 151, 213, 61, 197, 35, 236, 87, 209 }, false);

    /// <summary>
    /// 4@1 writes o0 and crashes before its first gossip, so no replica ever heard of it. The others
    /// write and delete o0 (a later generation) and prune the tombstone, waiting for no one; 4@2
    /// restarts within the retention on its journal and brings o0 back.
    /// </summary>
    [Fact]
    public void A_write_of_a_silo_that_crashed_before_its_first_gossip_does_not_outlive_a_pruned_tombstone() =>
        new RestartProperties().Restarts_after_the_retention_resurrect_nothing(new byte[] { 0, 0, 2, 217, 0, 43, 222, 98, 214, 43, 168, 23, 45, 5, 160, 126, 168, 159, 14, 221, 215, 150, 181, 235, 128, 7, 110, 1, 240, 214, 91, 149, 18, 111, 198, 98, 98, 163, 65, 233, 156, 102, 157, 127, 115, 86, 60, 32, 36, 30, 201, 145, 201, 51, 246, 250, 74, 154, 15, 247, 65, 93, 165, 194, 139, 175, 191, 113, 47, 220, 144, 139, 111, 209, 66, 197, 246, 211, 62, 69, 17, 121, 78, 31, 97, 61, 206, 44, 151, 78, 78, 186, 188, 244, 111, 245 }, true);

    /// <summary>
    /// 1@1 deletes o1 while 3@1 updates it (the delete wins: same registration); every replica takes the
    /// tombstone, 1@1 crashes, the others drop its vector entry when it departs and prune the tombstone. 1@2's
    /// journal is discarded on restart: the delete is kept (o1 stays gone), so it must not count as lost.
    /// A check of the test's reference model, replayed from FsCheck's failing step.
    /// </summary>
    [FsCheck.Xunit.Property(Replay = "(15160491128824520524,13581185147185540183,286)", MaxTest = 1)]
    public void A_pruned_tombstone_of_a_departed_writer_is_not_a_lost_write(byte[] script, bool four) =>
        new RestartProperties().Restarts_after_the_retention_resurrect_nothing(script, four);
}
