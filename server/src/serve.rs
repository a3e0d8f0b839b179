use std::net::SocketAddr;

use app::backend::{AppState, state::Settings};
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

/// Runs the HTTP server until SIGINT or SIGTERM, then lets in-flight requests finish and
/// closes the database.
pub async fn serve(
    addr: SocketAddr,
    leptos_options: LeptosOptions,
    db: DatabaseConnection,
    settings: Settings,
) -> std::io::Result<()> {
    let state = AppState::new(leptos_options, db.clone(), settings);
    let public_url = state.settings.public_url.clone();
    let purger = crate::workers::spawn_purger(&state);
    let indexer = crate::workers::spawn_text_indexer(&state);
    let mut background = vec![
        crate::workers::spawn_alert_evaluator(&state),
        crate::workers::spawn_alert_sender(&state),
    ];
    if state.settings.patterns.mining {
        background.push(crate::workers::spawn_pattern_miner(&state));
    }
    let ingest = state.ingest.clone();
    let router = crate::router::build(state);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "Lodestar is listening on {public_url}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("shutting down: requests finished, closing the database");
    purger.abort();
    for task in background {
        task.abort();
    }
    if let Some(indexer) = indexer {
        indexer.abort();
    }
    // Every request was answered after its commit; what remains is the keys' last use.
    if let Err(error) = ingest.keys.flush_usage(&db).await {
        tracing::warn!(%error, "recording API keys' last use failed");
    }
    ingest.stop().await;
    db.close().await.ok();
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    // Open event streams (live views) end now, or the graceful shutdown would wait on them.
    stopping().send_replace(true);
}

/// Set when the server begins to shut down: long-lived responses watch it and end.
pub fn stopping() -> &'static tokio::sync::watch::Sender<bool> {
    static STOPPING: std::sync::OnceLock<tokio::sync::watch::Sender<bool>> =
        std::sync::OnceLock::new();
    STOPPING.get_or_init(|| tokio::sync::watch::channel(false).0)
}

/// The Leptos site settings: `Leptos.toml` in the working folder when there is one (the
/// release binary started from the repository; LEPTOS_* variables override it), else what
/// cargo-leptos put in the environment, else the defaults of a release build.
pub fn leptos_options(addr: SocketAddr) -> Result<LeptosOptions, String> {
    let file = std::path::Path::new("Leptos.toml");
    let mut options = if file.exists() || std::env::var_os("LEPTOS_OUTPUT_NAME").is_some() {
        let path = file.exists().then_some("Leptos.toml");
        leptos::config::get_configuration(path)
            .map_err(|e| format!("cannot read the site configuration: {e}"))?
            .leptos_options
    } else {
        LeptosOptions::builder()
            .output_name("lodestar")
            .site_root("target/site")
            .site_pkg_dir("pkg")
            .env(leptos::config::Env::PROD)
            .build()
    };
    options.site_addr = addr;
    Ok(options)
}
