//! The build-time client works on the wire: requests as the spec says, responses decoded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use build_script_example::types::Tag;
use build_script_example::{Client, Error};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn list_and_get_pets_against_a_local_server() {
    let server = MockServer::start().await;
    let pet = serde_json::json!({"id": "p1", "name": "Rex", "tags": ["dog"],
        "owner": {"name": "Ann", "pets": []}});
    Mock::given(method("GET"))
        .and(path("/pets"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([pet])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/pets/missing"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(serde_json::json!({"code": "NOT_FOUND"})),
        )
        .mount(&server)
        .await;

    let client = Client::builder().base_url(server.uri()).build().unwrap();
    let pets = client.list_pets().limit(2).await.unwrap();
    assert_eq!(pets.len(), 1);
    assert_eq!(pets[0].name, "Rex");
    assert_eq!(pets[0].tags, Some(vec![Tag::Dog]));
    assert_eq!(pets[0].owner.as_ref().map(|o| o.name.as_str()), Some("Ann"));

    match client.get_pet("missing").await {
        Err(Error::Api(error)) => assert_eq!(error.status.as_u16(), 404),
        other => panic!("expected a 404 API error, got {other:?}"),
    }
}
