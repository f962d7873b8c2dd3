-- Heck: PostgreSQL schema for Orleans' ADO.NET clustering provider
-- (Microsoft.Orleans.Clustering.AdoNet 10.4.2, invariant "Npgsql").
--
-- Written for this repository; applied by Heck.Membership.AdoNet.SchemaInstaller inside one
-- transaction. Safe to apply any number of times: tables are created only when missing and
-- the named queries are upserted, so re-applying also upgrades the query texts.
--
-- The contract with the provider (checked against the 10.4.2 assembly):
--  * At start it runs "SELECT QueryKey, QueryText FROM OrleansQuery" and requires these keys:
--      GatewaysQueryKey, MembershipReadRowKey, MembershipReadAllKey, InsertMembershipVersionKey,
--      UpdateIAmAlivetimeKey (sic: lower-case "t"), InsertMembershipKey, UpdateMembershipKey,
--      DeleteMembershipTableEntriesKey, CleanupDefunctSiloEntriesKey.
--    CleanupDefunctSiloEntryKey is optional; when present the provider deletes Dead rows one at a
--    time, each only if the row is still exactly what it read.
--  * Parameters are bound by name (@Name, Npgsql rewrites them): DeploymentId, Address (text),
--    Port, Generation, SiloName, HostName, Status, ProxyPort (int), SuspectTimes (text or null),
--    StartTime, IAmAliveTime (UTC DateTime), Version (int, the expected table version).
--  * Rows are read by column name: DeploymentId, Address, Port, Generation, SiloName, HostName,
--    Status, ProxyPort, SuspectTimes, StartTime, IAmAliveTime, Version.
--  * Conditional writes (InsertMembershipKey, UpdateMembershipKey, InsertMembershipVersionKey)
--    return one row with one column: > 0 when the write happened, 0 when it did not.
--  * SiloStatus values: Active = 3, Dead = 6.
--
-- Every conditional write is one statement: the version row is bumped only when it still holds
-- the expected version, and the membership row is written only through that bump. A concurrent
-- writer with the same expected version blocks on the version row and then finds it changed, so
-- exactly one of them wins and the loser changes nothing.

-- Serialise concurrent installers (the same key is used by every Heck installer).
SELECT pg_advisory_xact_lock(4839201745);

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

-- One row per cluster (DeploymentId = ClusterOptions.ClusterId): the table version that every
-- membership change increments.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

-- One row per silo generation.
CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes varchar(8000)  NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES

-- Creates the cluster's version row if it is missing. 1 = created, 0 = it existed.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer FROM created;
$q$),

-- Adds a silo row and bumps the version, both or neither.
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version
      AND NOT EXISTS (
          SELECT 1 FROM OrleansMembershipTable
          WHERE DeploymentId = @DeploymentId AND Address = @Address
            AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), inserted AS (
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
         StartTime, IAmAliveTime)
    SELECT b.DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
           @StartTime, @IAmAliveTime
    FROM bumped b
    ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer FROM inserted;
$q$),

-- Changes a silo row's status, suspicions and heartbeat and bumps the version, both or neither.
('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version
      AND EXISTS (
          SELECT 1 FROM OrleansMembershipTable
          WHERE DeploymentId = @DeploymentId AND Address = @Address
            AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), updated AS (
    UPDATE OrleansMembershipTable m
    SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
    FROM bumped b
    WHERE m.DeploymentId = b.DeploymentId AND m.Address = @Address
      AND m.Port = @Port AND m.Generation = @Generation
    RETURNING 1
)
SELECT count(*)::integer FROM updated;
$q$),

-- Heartbeat: only IAmAliveTime, no version change (the provider ignores the result).
('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address
  AND Port = @Port AND Generation = @Generation;
$q$),

-- One silo's row with the table version. The version row drives the join, so a missing silo
-- still yields one row (with null silo columns) that carries the version.
('MembershipReadRowKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m
       ON m.DeploymentId = v.DeploymentId AND m.Address = @Address
      AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
$q$),

-- Every silo row with the table version, read in one statement (one snapshot).
('MembershipReadAllKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
$q$),

-- Gateways for clients: Active silos that accept client connections.
('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
$q$),

-- Removes a whole cluster (rows, then its version row).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$),

-- Bulk cleanup (the provider uses it only when CleanupDefunctSiloEntryKey is absent): Dead rows
-- whose last heartbeat predates the cut-off (@IAmAliveTime). Rows of live silos are never removed.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = 6
  AND IAmAliveTime < @IAmAliveTime;
$q$),

-- Per-row cleanup (optional key): the provider picks Dead rows older than the cut-off from its
-- own read and deletes each only if it is unchanged since that read.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = 6
  AND Address = @Address AND Port = @Port AND Generation = @Generation
  AND StartTime = @StartTime
  AND IAmAliveTime = @IAmAliveTime
  AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
