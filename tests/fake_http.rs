//! A scripted HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for sync tests: each request gets the next
//! scripted response, and the request heads are kept so a test can check what Earshot sent.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone)]
pub struct Scripted {
    pub base: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

/// A raw HTTP response: status line and headers (without Content-Length, which is added) and a body.
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len()).into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// Serves `script` in order, one response per connection; after the script, answers 500.
pub async fn serve(script: Vec<Vec<u8>>) -> Scripted {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    tokio::spawn(async move {
        let mut script = script.into_iter();
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            seen.lock().unwrap().push(String::from_utf8_lossy(&head).to_string());
            let reply = script.next().unwrap_or_else(|| response("500 Internal Server Error", &[], b""));
            let _ = socket.write_all(&reply).await;
            let _ = socket.shutdown().await;
        }
    });
    Scripted { base, requests }
}
