//! Unit tests of the Swagger 2.0 → OpenAPI 3.0 conversion.

use serde_json::{Value, json};

use super::*;

fn convert_yaml(text: &str) -> (Value, Origins, Vec<Diagnostic>) {
    let document = crate::spec::text::parse_text(text).unwrap();
    let mut origins = Origins::default();
    let mut warnings = Vec::new();
    let converted = convert(&document, &mut origins, &mut warnings).unwrap();
    (converted, origins, warnings)
}

const PETS: &str = r"
swagger: '2.0'
info: {title: Pets, version: '1'}
host: pets.example.com
basePath: /v2/
schemes: [https, http]
consumes: [application/json]
produces: [application/json]
securityDefinitions:
  basic: {type: basic}
  key: {type: apiKey, name: X-Key, in: header}
  oauth: {type: oauth2, flow: application, tokenUrl: 'https://auth/token', scopes: {read: Read}}
parameters:
  limit: {name: limit, in: query, type: integer, format: int32, minimum: 1}
  petBody: {name: pet, in: body, required: true, schema: {$ref: '#/definitions/Pet'}}
responses:
  NotFound: {description: gone, schema: {$ref: '#/definitions/Error'}}
paths:
  /pets:
    parameters:
      - {name: X-Trace, in: header, type: string}
    get:
      operationId: listPets
      parameters:
        - $ref: '#/parameters/limit'
        - {name: tags, in: query, type: array, items: {type: string}}
        - {name: ids, in: query, type: array, items: {type: integer}, collectionFormat: multi}
        - {name: names, in: query, type: array, items: {type: string}, collectionFormat: pipes}
      responses:
        '200':
          description: ok
          headers: {X-Total: {type: integer, description: total}}
          schema: {type: array, items: {$ref: '#/definitions/Pet'}}
          examples: {application/json: [{id: 1}]}
        '404': {$ref: '#/responses/NotFound'}
    post:
      operationId: createPet
      parameters: [{$ref: '#/parameters/petBody'}]
      responses: {'201': {description: made}}
  /pets/{id}/photo:
    put:
      operationId: uploadPhoto
      consumes: [multipart/form-data]
      produces: [image/png]
      parameters:
        - {name: id, in: path, required: true, type: string}
        - {name: file, in: formData, type: file, required: true}
        - {name: note, in: formData, type: string, description: A note}
      responses:
        '200': {description: the photo, schema: {type: file}}
  /pets/search:
    post:
      operationId: searchPets
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {name: kinds, in: formData, type: array, items: {type: string}}
        - {name: q, in: formData, type: string, required: true}
      responses: {'200': {description: ok}}
definitions:
  Pet:
    type: object
    discriminator: kind
    required: [id, kind]
    properties:
      id: {type: integer, format: int64}
      kind: {type: string}
      nick: {type: string, x-nullable: true}
  Error: {type: object, properties: {message: {type: string}}}
";

#[test]
fn servers_come_from_schemes_host_and_base_path() {
    let (doc, _, _) = convert_yaml(PETS);
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(
        doc["servers"],
        json!([{"url": "https://pets.example.com/v2"}, {"url": "http://pets.example.com/v2"}])
    );
    let (doc, _, _) =
        convert_yaml("swagger: '2.0'\ninfo: {title: t, version: '1'}\nhost: h.io\npaths: {}\n");
    assert_eq!(doc["servers"], json!([{"url": "https://h.io"}]));
    let (doc, _, _) =
        convert_yaml("swagger: '2.0'\ninfo: {title: t, version: '1'}\nbasePath: /api\npaths: {}\n");
    assert_eq!(doc["servers"], json!([{"url": "/api"}]));
}

#[test]
fn definitions_and_security_move_under_components() {
    let (doc, _, _) = convert_yaml(PETS);
    let pet = &doc["components"]["schemas"]["Pet"];
    assert_eq!(pet["discriminator"], json!({"propertyName": "kind"}));
    assert_eq!(
        pet["properties"]["nick"],
        json!({"type": "string", "nullable": true})
    );
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["basic"], json!({"type": "http", "scheme": "basic"}));
    assert_eq!(
        schemes["key"],
        json!({"type": "apiKey", "name": "X-Key", "in": "header"})
    );
    assert_eq!(
        schemes["oauth"],
        json!({"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://auth/token", "scopes": {"read": "Read"}}}})
    );
    assert_eq!(
        doc["components"]["parameters"]["limit"],
        json!({"name": "limit", "in": "query", "schema": {"type": "integer", "format": "int32", "minimum": 1}})
    );
    assert_eq!(
        doc["components"]["requestBodies"]["petBody"],
        json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}, "required": true})
    );
    assert_eq!(
        doc["components"]["responses"]["NotFound"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/Error"})
    );
}

#[test]
fn collection_formats_become_styles() {
    let (doc, _, _) = convert_yaml(PETS);
    let params = &doc["paths"]["/pets"]["get"]["parameters"];
    assert_eq!(params[0], json!({"$ref": "#/components/parameters/limit"}));
    assert_eq!(params[1]["style"], "form");
    assert_eq!(params[1]["explode"], false, "csv is 2.0's default");
    assert_eq!(params[2]["explode"], true, "multi");
    assert_eq!(params[3]["style"], "pipeDelimited");
    assert_eq!(
        params[3]["schema"],
        json!({"type": "array", "items": {"type": "string"}})
    );
    // The path item's plain parameter stays on the path item.
    assert_eq!(doc["paths"]["/pets"]["parameters"][0]["name"], "X-Trace");
}

#[test]
fn responses_get_a_media_type_per_produces_entry() {
    let (doc, _, _) = convert_yaml(PETS);
    let ok = &doc["paths"]["/pets"]["get"]["responses"]["200"];
    assert_eq!(
        ok["content"]["application/json"],
        json!({"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}, "example": [{"id": 1}]})
    );
    assert_eq!(
        ok["headers"]["X-Total"],
        json!({"description": "total", "schema": {"type": "integer"}})
    );
    assert_eq!(
        doc["paths"]["/pets"]["get"]["responses"]["404"],
        json!({"$ref": "#/components/responses/NotFound"})
    );
    assert_eq!(
        doc["paths"]["/pets/{id}/photo"]["put"]["responses"]["200"]["content"],
        json!({"image/png": {"schema": {"type": "string", "format": "binary"}}})
    );
}

#[test]
fn body_and_form_parameters_become_request_bodies() {
    let (doc, _, _) = convert_yaml(PETS);
    assert_eq!(
        doc["paths"]["/pets"]["post"]["requestBody"],
        json!({"$ref": "#/components/requestBodies/petBody"})
    );
    let upload = &doc["paths"]["/pets/{id}/photo"]["put"];
    assert_eq!(upload["parameters"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        upload["requestBody"],
        json!({"content": {"multipart/form-data": {"schema": {
            "type": "object",
            "properties": {
                "file": {"type": "string", "format": "binary"},
                "note": {"type": "string", "description": "A note"}
            },
            "required": ["file"]
        }}}, "required": true})
    );
    let search = &doc["paths"]["/pets/search"]["post"]["requestBody"]["content"];
    assert_eq!(
        search["application/x-www-form-urlencoded"]["encoding"],
        json!({"kinds": {"style": "form", "explode": false}})
    );
}

#[test]
fn converted_locations_map_back_to_the_swagger_document() {
    let (_, origins, _) = convert_yaml(PETS);
    assert_eq!(
        origins.locate("#/components/schemas/Pet/properties/id"),
        "#/definitions/Pet/properties/id"
    );
    assert_eq!(
        origins.locate("#/paths/~1pets~1{id}~1photo/put/requestBody/content/multipart~1form-data/schema/properties/note"),
        "#/paths/~1pets~1{id}~1photo/put/parameters/2"
    );
    assert_eq!(
        origins.locate("#/paths/~1pets/get/parameters/3/schema/items"),
        "#/paths/~1pets/get/parameters/3/items"
    );
    assert_eq!(
        origins.locate("#/paths/~1pets/get/responses/200/content/application~1json/schema/items"),
        "#/paths/~1pets/get/responses/200/schema/items"
    );
    assert_eq!(
        origins.locate("#/components/securitySchemes/key"),
        "#/securityDefinitions/key"
    );
}

#[test]
fn what_openapi_3_cannot_say_is_a_located_warning() {
    let (_, _, warnings) = convert_yaml(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      schemes: [ws]\n      parameters:\n        - {name: t, in: query, type: array, items: {type: string}, collectionFormat: tsv}\n        - {name: h, in: header, type: array, items: {type: string}, collectionFormat: ssv}\n      responses: {'200': {description: ok}}\n",
    );
    let locations: Vec<&str> = warnings.iter().map(|w| w.location.as_str()).collect();
    assert_eq!(
        locations,
        [
            "#/paths/~1a/get/schemes",
            "#/paths/~1a/get/parameters/0/collectionFormat",
            "#/paths/~1a/get/parameters/1/collectionFormat",
        ]
    );
}

#[test]
fn another_swagger_version_is_refused() {
    let document = json!({"swagger": "1.2", "info": {}});
    let error = convert(&document, &mut Origins::default(), &mut Vec::new()).unwrap_err();
    assert_eq!(error.diagnostics[0].location, "#/swagger");
}
