//! The server's accept loop: HTTP/1 connections for an axum app, with a time limit on
//! reading a request's headers and a deadline for shutting down.
//!
//! `axum::serve` has neither: a client that sent half a request line kept the server
//! alive 90 s after SIGTERM. Here a connection that has not sent its headers within
//! `header_timeout` is closed, and once told to stop the loop stops accepting, lets
//! open requests finish for at most `shutdown_timeout`, then returns (the connections
//! left are dropped with the runtime).
//!
//! Invariant: every handler sees the peer's address as `ConnectInfo<SocketAddr>`, as
//! with `into_make_service_with_connect_info`.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// The time limits of one listener.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a client has to send a request's headers.
    pub header_timeout: Duration,
    /// How long open requests may run once the server is told to stop.
    pub shutdown_timeout: Duration,
}

/// Serves `app` on `listener` until `stop` turns true, then drains within the deadline.
/// `name` is the listener's name in log lines ("site", "metrics").
pub async fn serve(
    name: &'static str,
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|stop| *stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, or a connection reset before it was taken:
                // wait a little rather than spin.
                tracing::warn!(listener = name, "accepting a connection: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut request: axum::http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        });
    }
    drop(listener);
    let open = graceful.count();
    if open > 0 {
        tracing::info!(
            listener = name,
            connections = open,
            "shutting down: waiting up to {} s for open requests",
            limits.shutdown_timeout.as_secs_f64()
        );
    }
    if tokio::time::timeout(limits.shutdown_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            listener = name,
            "shutdown deadline of {} s passed with connections still open; closing them",
            limits.shutdown_timeout.as_secs_f64()
        );
    }
}
