//! A throw-away PostgreSQL for tests: Debian's server binaries, a cluster in a temporary folder listening
//! on 127.0.0.1 only, stopped and removed on drop. `initdb` refuses to run as root, so as root the cluster
//! belongs to the `postgres` user (started with `runuser`). Each test gets a database of its own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    databases: AtomicUsize,
}

fn server_binaries() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    found.retain(|bin| bin.join("initdb").exists());
    found.sort_by_key(|bin| {
        bin.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok())
    });
    found.pop().expect("PostgreSQL's server is not installed (scripts/install-deps.sh installs it)")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Runs a server binary, as `postgres` when this process is root.
fn run(bin: &Path, args: &[&str]) {
    let mut command = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let out = command.args(args).output().unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    assert!(
        out.status.success(),
        "{} failed: {}{}",
        bin.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Cluster {
    pub fn start() -> Cluster {
        let bin = server_binaries();
        let dir = tempfile::Builder::new().prefix("earshot-pg-").tempdir().expect("a temporary folder");
        if is_root() {
            let status = Command::new("chown").arg("postgres").arg(dir.path()).status().expect("chown");
            assert!(status.success(), "cannot give the cluster's folder to the postgres user");
        }
        let data = dir.path().join("data");
        let (data_text, socket) = (data.display().to_string(), dir.path().display().to_string());
        run(&bin.join("initdb"), &["-D", &data_text, "-A", "trust", "-U", "postgres", "--no-sync"]);
        let port = free_port();
        let options = format!("-p {port} -k {socket} -c listen_addresses=127.0.0.1 -c fsync=off");
        let log = dir.path().join("server.log").display().to_string();
        run(&bin.join("pg_ctl"), &["-D", &data_text, "-l", &log, "-w", "-o", &options, "start"]);
        Cluster { dir, bin, port, databases: AtomicUsize::new(0) }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A new, empty database; its connection string.
    pub async fn database(&self) -> String {
        let name = format!("t{}", self.databases.fetch_add(1, Ordering::SeqCst));
        let admin = self.connect("postgres").await;
        admin.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("create a test database");
        self.url(&name)
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// A connection, its driver running in the background.
    pub async fn connect(&self, database: &str) -> tokio_postgres::Client {
        connect(&self.url(database)).await
    }

    /// Backs a database up with `pg_dump`, as a business's nightly backup would; the dump file.
    pub fn dump(&self, database: &str) -> PathBuf {
        let file = self.dir.path().join(format!("{database}-{}.dump", self.databases.fetch_add(1, Ordering::SeqCst)));
        let (port, target) = (self.port.to_string(), file.display().to_string());
        let out = Command::new(self.bin.join("pg_dump"))
            .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-Fc", "-f", &target, database])
            .output()
            .expect("run pg_dump");
        assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
        file
    }

    /// Replaces a database with a backup, as restoring the server after a failure would: everything since
    /// the backup is gone, and every connection to it is cut.
    pub async fn restore(&self, database: &str, dump: &Path) {
        let admin = self.connect("postgres").await;
        // Two statements: neither may run inside a transaction block.
        admin.batch_execute(&format!("DROP DATABASE {database} WITH (FORCE)")).await.unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {database}")).await.unwrap();
        let port = self.port.to_string();
        let out = Command::new(self.bin.join("pg_restore"))
            .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-d", database])
            .arg(dump)
            .output()
            .expect("run pg_restore");
        assert!(out.status.success(), "pg_restore failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Stops the server at once, as a crash or a power cut would.
    pub fn kill(&self) {
        self.pg_ctl(&["-m", "immediate", "stop"]);
    }

    /// Starts the server again on the same data and port.
    pub fn restart(&self) {
        let socket = self.dir.path().display().to_string();
        let options = format!("-p {} -k {socket} -c listen_addresses=127.0.0.1 -c fsync=off", self.port);
        let log = self.dir.path().join("server.log").display().to_string();
        self.pg_ctl(&["-l", &log, "-w", "-o", &options, "start"]);
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.dir.path().join("data").display().to_string();
        let mut all = vec!["-D", &data];
        all.extend_from_slice(args);
        run(&self.bin.join("pg_ctl"), &all);
    }
}

/// Connects without TLS (the test server listens on 127.0.0.1 only).
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(connection);
    client
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data").display().to_string();
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join("pg_ctl"));
            c
        } else {
            Command::new(self.bin.join("pg_ctl"))
        };
        let _ = command.args(["-D", &data, "-m", "immediate", "stop"]).output();
    }
}
