//! A real app over a fresh SQLite store, driven through `router(state)` without a socket.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hikeshi_domain::{Actor, Role};
use hikeshi_server::auth::{hash_password, hash_token, random_token};
use hikeshi_server::{AppState, ServerConfig, router};
use hikeshi_store::{NewUser, Store, StoreOptions};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub struct App {
    pub app: Router,
    /// For setting up data that has no API of its own yet (inventories, advisories).
    pub store: Store,
    /// Bearer tokens of an admin, a handler and a viewer.
    pub admin: String,
    pub handler: String,
    pub viewer: String,
    _dir: tempfile::TempDir,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

pub async fn app_with(config: ServerConfig) -> App {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.sqlite3?mode=rwc", dir.path().display());
    let store = Store::connect(&url, StoreOptions::default()).await.unwrap();
    store.migrate().await.unwrap();
    let mut tokens = Vec::new();
    for (name, role) in [
        ("admin", Role::Admin),
        ("handler", Role::Handler),
        ("viewer", Role::Viewer),
    ] {
        let u = store
            .create_user(
                &Actor::System,
                &NewUser {
                    username: name.into(),
                    display_name: name.into(),
                    email: format!("{name}@example.jp"),
                    role,
                    lang: String::new(),
                    password_hash: hash_password(PASSWORD),
                    must_change_password: false,
                },
            )
            .await
            .unwrap();
        let t = random_token();
        store
            .create_api_token(&Actor::System, u.id, "test", &hash_token(&t))
            .await
            .unwrap();
        tokens.push(t);
    }
    // As if every request came from one client, so per-address limits apply.
    let app = router(AppState::new(store.clone(), config)).layer(
        axum::extract::connect_info::MockConnectInfo(std::net::SocketAddr::from((
            [192, 0, 2, 7],
            40000,
        ))),
    );
    let mut it = tokens.into_iter();
    App {
        app,
        store: store.clone(),
        admin: it.next().unwrap(),
        handler: it.next().unwrap(),
        viewer: it.next().unwrap(),
        _dir: dir,
    }
}

pub async fn app() -> App {
    app_with(ServerConfig::default()).await
}

impl App {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }

    /// A JSON request with a bearer token (or none).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call("POST", path, Some(token), Some(body)).await
    }

    /// Log in through the form; returns the session cookie (name=value).
    pub async fn login(&self, username: &str, password: &str) -> Resp {
        let body = format!(
            "username={username}&password={}&next=%2F",
            password.replace(' ', "+")
        );
        self.send(
            Request::builder()
                .method("POST")
                .uri("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
}

/// The `name=value` part of a Set-Cookie header for `name`.
pub fn cookie_of(r: &Resp, name: &str) -> Option<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

/// A signed-in browser session: its cookie, and the CSRF token its forms carry.
pub struct Browser<'a> {
    pub app: &'a App,
    pub cookie: String,
    pub csrf: String,
}

impl<'a> Browser<'a> {
    pub async fn login(app: &'a App, user: &str) -> Browser<'a> {
        let r = app.login(user, PASSWORD).await;
        let cookie = cookie_of(&r, "hikeshi_session").unwrap();
        let me = app
            .send(
                Request::builder()
                    .uri("/api/v1/me")
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .json();
        Browser {
            app,
            cookie,
            csrf: me["csrf_token"].as_str().unwrap().to_owned(),
        }
    }
    pub async fn get(&self, path: &str) -> Resp {
        self.app
            .send(
                Request::builder()
                    .uri(path)
                    .header(header::COOKIE, &self.cookie)
                    .header(header::ACCEPT_LANGUAGE, "ja")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
    }
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        let mut body: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        body.extend_from_slice(form);
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(body)
            .finish();
        self.app
            .send(
                Request::builder()
                    .method("POST")
                    .uri(path)
                    .header(header::COOKIE, &self.cookie)
                    .header(header::ACCEPT_LANGUAGE, "ja")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(encoded))
                    .unwrap(),
            )
            .await
    }
}

impl App {
    /// An incident created by the admin with the given TLP and indicators attached; returns the
    /// incident and the attach response (`items` with the indicators' ids).
    pub async fn incident_with(&self, title: &str, tlp: &str, values: &[&str]) -> (Value, Value) {
        let inc = self
            .post(
                "/api/v1/incidents",
                &self.admin,
                serde_json::json!({"title": title, "category": "malware-site", "tlp": tlp}),
            )
            .await;
        assert_eq!(inc.status, 201, "{}", inc.text());
        let inc = inc.json();
        let items: Vec<Value> = values
            .iter()
            .map(|v| serde_json::json!({"value": v}))
            .collect();
        let r = self
            .post(
                &format!("/api/v1/incidents/{}/indicators", inc["id"]),
                &self.admin,
                serde_json::json!({"items": items}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        (inc, r.json())
    }
}
