using Heck.Benchmarks.Soak;

namespace Heck.Tests.Soak;

public class ChurnLedgerTests
{
    [Fact]
    public void A_re_create_listed_while_its_request_is_in_flight_is_no_resurrection()
    {
        // The soak's false alarm: c0 deleted, seen gone, then listed by a silo that had already
        // registered the re-create whose answer was still on its way.
        var ledger = new ChurnLedger();
        ledger.Sending("c0", 10);
        ledger.Acknowledged("c0", exists: true, 20);
        ledger.Sending("c0", 30);
        ledger.Acknowledged("c0", exists: false, 40);
        Assert.Empty(ledger.Observe(node: 3, startTs: 50, listed: []));
        ledger.Sending("c0", 60);
        Assert.Empty(ledger.Observe(node: 3, startTs: 70, listed: ["c0"]));
        ledger.Acknowledged("c0", exists: true, 80);
        Assert.Empty(ledger.Observe(node: 3, startTs: 90, listed: ["c0"]));
        Assert.Equal(["c0"], ledger.Existing(ackedBy: 90));
        Assert.Empty(ledger.Deleted());
    }

    [Fact]
    public void A_deleted_origin_listed_again_with_nothing_in_flight_is_a_resurrection()
    {
        var ledger = new ChurnLedger();
        ledger.Sending("c0", 10);
        ledger.Acknowledged("c0", exists: true, 20);
        ledger.Sending("c0", 30);
        ledger.Acknowledged("c0", exists: false, 40);
        Assert.Empty(ledger.Observe(node: 1, startTs: 50, listed: []));
        Assert.Equal([("c0", 40L)], ledger.Observe(node: 1, startTs: 60, listed: ["c0"]));
    }

    [Fact]
    public void A_list_read_before_the_delete_was_acknowledged_is_not_judged()
    {
        var ledger = new ChurnLedger();
        ledger.Acknowledged("c0", exists: true, 20);
        ledger.Sending("c0", 30);
        Assert.Empty(ledger.Observe(node: 1, startTs: 35, listed: []));
        ledger.Acknowledged("c0", exists: false, 40);
        Assert.Empty(ledger.Observe(node: 1, startTs: 38, listed: ["c0"]));
        Assert.Equal(["c0"], ledger.Deleted());
    }

    [Fact]
    public void An_origin_whose_operation_no_silo_acknowledged_is_left_out()
    {
        var ledger = new ChurnLedger();
        ledger.Acknowledged("c0", exists: false, 10);
        Assert.Empty(ledger.Observe(node: 1, startTs: 20, listed: []));
        ledger.Sending("c0", 30);
        ledger.GaveUp("c0");
        Assert.Empty(ledger.Observe(node: 1, startTs: 40, listed: ["c0"]));
        Assert.Empty(ledger.Deleted());
        Assert.Equal(["c0"], ledger.Uncertain());
    }
}
