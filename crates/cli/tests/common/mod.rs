//! Running the real `hikeshi` binary: commands, and a server on a free loopback port.

#![allow(dead_code)]

pub mod pdf;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_hikeshi")
}

pub fn hikeshi(data: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .expect("run hikeshi")
}

pub fn hikeshi_stdin(data: &Path, args: &[&str], input: &str) -> Output {
    let mut c = Command::new(bin())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hikeshi");
    c.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    c.wait_with_output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub struct Server {
    pub child: Child,
    pub base: String,
    /// Lines the server printed before it started listening (first-run password etc.).
    pub banner: Vec<String>,
    pub data: PathBuf,
}

impl Server {
    /// Start `hikeshi serve` on a free port and wait until it listens.
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("HIKESHI_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start hikeshi serve");
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("server did not start within 60 s");
            if let Some(addr) = line.strip_prefix("hikeshi listening on ") {
                return Server {
                    child,
                    base: addr.trim().to_owned(),
                    banner,
                    data: data.to_path_buf(),
                };
            }
            banner.push(line);
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL: no chance to flush or clean up.
    pub fn kill(mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A JSON call with a bearer token: (status, body as JSON or Null).
pub fn call(
    a: &ureq::Agent,
    method: &str,
    url: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let auth = format!("Bearer {token}");
    let res = match (method, body) {
        ("GET", _) => a.get(url).header("Authorization", &auth).call(),
        ("POST", Some(b)) => a.post(url).header("Authorization", &auth).send_json(b),
        ("PATCH", Some(b)) => a.patch(url).header("Authorization", &auth).send_json(b),
        (m, _) => panic!("unsupported {m}"),
    };
    let mut res = res.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = res.status().as_u16();
    let text = res.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

pub fn hikeshi_stdin_bytes(data: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut c = Command::new(bin())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hikeshi");
    c.stdin.take().unwrap().write_all(input).unwrap();
    c.wait_with_output().unwrap()
}
