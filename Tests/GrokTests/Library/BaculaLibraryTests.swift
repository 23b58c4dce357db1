import Testing
@testable import Grok

@Suite("Logstash library: bacula")
struct BaculaLibraryTests {
    // Bacula job log lines (director, storage daemon and file daemon messages).
    static let startJob = "28-Aug 21:55 backup-dir JobId 13: Start Backup JobId 13, Job=BackupClient1.2016-08-28_21.55.02_03"
    static let useDevice = #"28-Aug 21:55 backup-sd JobId 13: Using Device "FileChgr1-Dev1" to write."#
    static let labeled = #"28-Aug 21:56 backup-sd JobId 13: Labeled new Volume "Vol-0001" on file device "FileChgr1-Dev1" (/srv/bacula/storage)."#
    static let wroteLabel = #"28-Aug 21:56 backup-sd JobId 13: Wrote label to prelabeled Volume "Vol-0001" on device "FileChgr1-Dev1" (/srv/bacula/storage)"#
    static let created = #"28-Aug 21:56 backup-dir JobId 13: Created new Volume "Vol-0001" in catalog."#
    static let endOfMedium = #"28-Aug 21:58 backup-sd JobId 13: End of medium on Volume "Vol-0001" Bytes=5,368,709,120 Blocks=83,221 at 28-Aug-2016 21:58."#
    static let newMount = #"28-Aug 21:58 backup-sd JobId 13: New volume "Vol-0002" mounted on device "FileChgr1-Dev1" (/srv/bacula/storage) at 28-Aug-2016 21:58."#
    static let maxCapacity = #"28-Aug 21:58 backup-sd JobId 13: User defined maximum volume capacity 5,368,709,120 exceeded on device "FileChgr1-Dev1" (/srv/bacula/storage)."#
    static let readyAppend = #"28-Aug 21:58 backup-sd JobId 13: Ready to append to end of Volume "Vol-0002" size=1073741824"#
    static let prevWritten = #"28-Aug 21:58 backup-sd JobId 13: Volume "Vol-0002" previously written, moving to end of data."#
    static let noStat = #"28-Aug 21:57 client1-fd JobId 13:      Could not stat "/home/user/.cache/thumbnails": ERR=No such file or directory"#
    static let noOpen = #"28-Aug 21:57 client1-fd JobId 13:      Cannot open "/var/lib/mysql/ibdata1": ERR=Permission denied"#
    static let noOpenDir = #"28-Aug 21:57 client1-fd JobId 13:      Could not open directory "/root/.gnupg": ERR=Permission denied"#
    static let diffFS = "28-Aug 21:57 client1-fd JobId 13:      /proc is a different filesystem. Will not descend from / into it."
    static let jobEnd = "28-Aug 22:01 backup-sd JobId 13: Job write elapsed time = 00:05:12, Transfer rate = 1.234 M Bytes/second"
    static let pruneJobs = "28-Aug 22:01 backup-dir JobId 13: Begin pruning Jobs older than 6 months ."
    static let pruneJobs2 = "28-Aug 22:01 backup-dir JobId 13: Begin pruning Jobs older than 1 month 15 days ."
    static let noPruneJobs = "28-Aug 22:01 backup-dir JobId 13: No Jobs found to prune."
    static let pruneFiles = "28-Aug 22:01 backup-dir JobId 13: Begin pruning Files."
    static let noPruneFiles = "28-Aug 22:01 backup-dir JobId 13: No Files found to prune."
    static let prunedJobs = "28-Aug 22:01 backup-dir JobId 13: Pruned 2 Jobs for client client1-fd from catalog."
    static let prunedFiles = "28-Aug 22:01 backup-dir JobId 13: Pruned Files from 1 Job for client client1-fd from catalog."
    static let endPrune = "28-Aug 22:01 backup-dir JobId 13: End auto prune."
    static let noMoreJobs = #"28-Aug 22:01 backup-dir JobId 13: There are no more Jobs associated with Volume "Vol-0001". Marking it purged."#
    static let allPruned = #"28-Aug 22:01 backup-dir JobId 13: All records pruned from Volume "Vol-0001"; marking it "Purged""#
    static let restore = "28-Aug 21:55 backup-dir JobId 18: Start Restore Job RestoreFiles.2016-08-28_21.55.10_05"
    static let runBefore = #"28-Aug 21:55 client1-fd JobId 13: shell command: run ClientRunBeforeJob "/usr/local/bin/pre-backup.sh --full""#
    static let cancelling = "28-Aug 21:55 backup-dir JobId 19: Cancelling duplicate JobId=18."
    static let markCancel = "28-Aug 21:55 backup-dir JobId 19: JobId 19, Job BackupClient1.2016-08-28_21.55.20_07 marked to be canceled."
    static let vss = #"28-Aug 21:55 winclient-fd JobId 22: Generate VSS snapshots. Driver="Win64 VSS", Drive(s)="C:""#
    static let maxStart = "28-Aug 21:55 backup-dir JobId 20: Fatal error: Job canceled because max start delay time exceeded."
    static let duplicate = "28-Aug 21:55 backup-dir JobId 17: Fatal error: JobId 16 already running. Duplicate job not allowed."
    static let noJobStat = "28-Aug 21:55 backup-dir JobId 21: Fatal error: No Job status returned from FD."
    static let fatalConn = "28-Aug 21:55 backup-dir JobId 14: Fatal error: bsock.c:133 Unable to connect to Client: client2-fd on client2.example.com:9102. ERR=Connection refused"
    static let noConnect = "28-Aug 21:55 backup-dir JobId 14: Warning: bsock.c:127 Could not connect to Storage daemon on backup-sd.example.com:9103. ERR=Connection timed out"
    static let noAuth = #"28-Aug 21:55 backup-dir JobId 15: Fatal error: Unable to authenticate with File daemon at "client3.example.com:9102". Possible causes:"#
    static let noSuit = "28-Aug 21:55 backup-dir JobId 16: No prior or suitable Full backup found in catalog. Doing FULL backup."
    static let noPrior = "28-Aug 21:55 backup-dir JobId 16: No prior Full backup Job record found."
    static let jobReport = "28-Aug 22:01 backup-dir JobId 13: Bacula backup-dir 9.6.7 (10Dec20):"

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "BACULA_LOGLINE", startJob, ["bts": "28-Aug 21:55", "hostname": "backup-dir", "jobid": "13", "job": "BackupClient1.2016-08-28_21.55.02_03"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", useDevice, ["hostname": "backup-sd", "device": "FileChgr1-Dev1"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", labeled, ["volume": "Vol-0001", "device": "FileChgr1-Dev1"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", wroteLabel, ["volume": "Vol-0001"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", created, ["volume": "Vol-0001"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", endOfMedium, ["volume": "Vol-0001"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", newMount, ["volume": "Vol-0002", "device": "FileChgr1-Dev1"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", maxCapacity, ["device": "FileChgr1-Dev1"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", readyAppend, ["volume": "Vol-0002"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", prevWritten, ["volume": "Vol-0002"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", noStat, ["hostname": "client1-fd", "berror": "No such file or directory"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", noOpen, ["berror": "Permission denied"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", noOpenDir, ["berror": "Permission denied"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", diffFS),
        LibraryCase(.legacy, "BACULA_LOGLINE", jobEnd, ["elapsed": "00:05:12"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", pruneJobs),
        LibraryCase(.ecs, "BACULA_LOG", pruneJobs2),
        LibraryCase(.legacy, "BACULA_LOGLINE", noPruneJobs),
        LibraryCase(.legacy, "BACULA_LOGLINE", pruneFiles),
        LibraryCase(.legacy, "BACULA_LOGLINE", noPruneFiles),
        LibraryCase(.legacy, "BACULA_LOGLINE", prunedJobs, ["client": "client1-fd"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", prunedFiles, ["client": "client1-fd"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", endPrune),
        LibraryCase(.legacy, "BACULA_LOGLINE", noMoreJobs, ["volume": "Vol-0001"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", allPruned, ["volume": "Vol-0001"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", restore, ["job": "RestoreFiles.2016-08-28_21.55.10_05"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", runBefore, ["runjob": "/usr/local/bin/pre-backup.sh --full"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", cancelling),
        LibraryCase(.legacy, "BACULA_LOGLINE", markCancel, ["job": "BackupClient1.2016-08-28_21.55.20_07"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", vss, ["hostname": "winclient-fd"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", maxStart),
        LibraryCase(.legacy, "BACULA_LOGLINE", duplicate, ["duplicate": "16"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", noJobStat),
        LibraryCase(.legacy, "BACULA_LOGLINE", fatalConn, ["client": "client2-fd", "berror": "Connection refused"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", noConnect, ["client": nil, "berror": "Connection timed out"]),
        LibraryCase(.legacy, "BACULA_LOGLINE", noAuth),
        LibraryCase(.legacy, "BACULA_LOGLINE", noSuit),
        LibraryCase(.legacy, "BACULA_LOGLINE", noPrior),
        LibraryCase(.legacy, "BACULA_LOGLINE", jobReport),
        LibraryCase(.legacy, "BACULA_LOGLINE", "28-Aug 22:01 backup-dir: Begin pruning Files.", ["hostname": "backup-dir", "jobid": nil]),

        LibraryCase(.ecs, "BACULA_LOG", startJob, ["timestamp": "28-Aug 21:55", "host.hostname": "backup-dir", "bacula.job.id": "13", "bacula.job.name": "BackupClient1.2016-08-28_21.55.02_03"]),
        LibraryCase(.ecs, "BACULA_LOGLINE", startJob, ["host.hostname": "backup-dir", "bts": nil, "hostname": nil]),
        LibraryCase(.ecs, "BACULA_LOG", useDevice, ["bacula.volume.device": "FileChgr1-Dev1"]),
        LibraryCase(.ecs, "BACULA_LOG", labeled, ["bacula.volume.name": "Vol-0001", "bacula.volume.device": "FileChgr1-Dev1", "bacula.volume.path": "/srv/bacula/storage"]),
        LibraryCase(.ecs, "BACULA_LOG", wroteLabel, ["bacula.volume.name": "Vol-0001", "bacula.volume.device": "FileChgr1-Dev1", "bacula.volume.path": "/srv/bacula/storage"]),
        LibraryCase(.ecs, "BACULA_LOG", created, ["bacula.volume.name": "Vol-0001"]),
        LibraryCase(.ecs, "BACULA_LOG", endOfMedium, ["bacula.volume.name": "Vol-0001", "bacula.volume.bytes": "5,368,709,120", "bacula.volume.blocks": "83,221", "bacula.timestamp": "28-Aug-2016 21:58"]),
        LibraryCase(.ecs, "BACULA_LOG", newMount, ["bacula.volume.name": "Vol-0002", "bacula.volume.path": "/srv/bacula/storage", "bacula.timestamp": "28-Aug-2016 21:58"]),
        LibraryCase(.ecs, "BACULA_LOG", maxCapacity, ["bacula.volume.max_capacity": "5,368,709,120", "bacula.volume.device": "FileChgr1-Dev1"]),
        LibraryCase(.ecs, "BACULA_LOG", readyAppend, ["bacula.volume.name": "Vol-0002", "bacula.volume.size": "1073741824"]),
        LibraryCase(.ecs, "BACULA_LOG", prevWritten, ["bacula.volume.name": "Vol-0002"]),
        LibraryCase(.ecs, "BACULA_LOG", noStat, ["file.path": "/home/user/.cache/thumbnails", "error.message": "No such file or directory"]),
        LibraryCase(.ecs, "BACULA_LOG", noOpen, ["error.message": "Permission denied"]),
        LibraryCase(.ecs, "BACULA_LOG", noOpenDir, ["file.path": "/root/.gnupg", "error.message": "Permission denied"]),
        LibraryCase(.ecs, "BACULA_LOG", jobEnd, ["bacula.job.elapsed_time": "00:05:12"]),
        LibraryCase(.ecs, "BACULA_LOG", prunedJobs, ["bacula.client.name": "client1-fd"]),
        LibraryCase(.ecs, "BACULA_LOG", prunedFiles, ["bacula.client.name": "client1-fd"]),
        LibraryCase(.ecs, "BACULA_LOG", allPruned, ["bacula.volume.name": "Vol-0001"]),
        LibraryCase(.ecs, "BACULA_LOG", restore, ["bacula.job.name": "RestoreFiles.2016-08-28_21.55.10_05"]),
        LibraryCase(.ecs, "BACULA_LOG", runBefore, ["bacula.job.client_run_before_command": "/usr/local/bin/pre-backup.sh --full"]),
        LibraryCase(.ecs, "BACULA_LOG", cancelling, ["bacula.job.other_id": "18"]),
        LibraryCase(.ecs, "BACULA_LOG", markCancel, ["bacula.job.id": "19", "bacula.job.name": "BackupClient1.2016-08-28_21.55.20_07"]),
        LibraryCase(.ecs, "BACULA_LOG", duplicate, ["bacula.job.id": "17", "bacula.job.other_id": "16"]),
        LibraryCase(.ecs, "BACULA_LOG", fatalConn, ["bacula.client.name": "client2-fd", "client.address": "client2.example.com", "client.port": "9102", "error.message": "Connection refused"]),
        LibraryCase(.ecs, "BACULA_LOG", noConnect, ["bacula.client.name": nil, "client.address": "backup-sd.example.com", "client.port": "9103"]),
        LibraryCase(.ecs, "BACULA_LOG", noAuth, ["client.address": "client3.example.com", "client.port": "9102"]),
        LibraryCase(.ecs, "BACULA_LOG", "28-Aug-2016 21:55 backup-dir.example.com JobId 16: No prior Full backup Job record found.", ["timestamp": "28-Aug-2016 21:55", "host.hostname": "backup-dir.example.com"]),
        LibraryCase(.ecs, "BACULA_LOG", jobReport),

        LibraryCase(.legacy, "BACULA_TIMESTAMP", "28-Aug 21:55"),
        LibraryCase(.ecs, "BACULA_TIMESTAMP", "28-Aug-2016 21:55"),
        LibraryCase(.legacy, "BACULA_HOST", "backup-dir"),
        LibraryCase(.ecs, "BACULA_HOST", "backup-dir.example.com"),
        LibraryCase(.legacy, "BACULA_CAPACITY", "5,368,709,120"),
        LibraryCase(.legacy, "BACULA_CAPACITY", "1073741824"),
        LibraryCase(.legacy, "BACULA_VOLUME", "Vol-0001"),
        LibraryCase(.legacy, "BACULA_DEVICE", "FileChgr1-Dev1"),
        LibraryCase(.legacy, "BACULA_DEVICEPATH", "/srv/bacula/storage"),
        LibraryCase(.legacy, "BACULA_VERSION", "9.6.7"),
        LibraryCase(.legacy, "BACULA_JOB", "BackupClient1.2016-08-28_21.55.02_03"),
        LibraryCase(.legacy, "BACULA_LOG_STARTJOB", "Start Backup JobId 13, Job=BackupClient1.2016-08-28_21.55.02_03", ["job": "BackupClient1.2016-08-28_21.55.02_03"]),
        LibraryCase(.ecs, "BACULA_LOG_STARTJOB", "Start Backup JobId 13, Job=BackupClient1.2016-08-28_21.55.02_03", ["bacula.job.name": "BackupClient1.2016-08-28_21.55.02_03"]),
        LibraryCase(.legacy, "BACULA_LOG_JOB", "Error: Bacula backup-dir 9.6.7 (10Dec20):"),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "BACULA_LOGLINE", "28-Aug 21:55 backup-dir JobId 13: Something nobody expected happened"),
        LibraryReject(.ecs, "BACULA_LOG", "28-Aug 21:55 backup-dir JobId 13: Something nobody expected happened"),
        LibraryReject(.legacy, "BACULA_LOGLINE", "2016-08-28 21:55:02 backup-dir JobId 13: Begin pruning Files."),
        LibraryReject(.ecs, "BACULA_LOGLINE", "Aug 28 21:55 backup-dir JobId 13: End auto prune."),
        LibraryReject(.legacy, "BACULA_CAPACITY", "5,36,709"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
