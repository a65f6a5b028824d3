//! Lowering on small inline specs: the IR each construct becomes (typify's `convert.rs` style).

use super::*;
use crate::Config;

fn lower_with(spec: &str, config: &Config) -> Api {
    let loaded = crate::spec::load(spec, &[]).unwrap_or_else(|e| panic!("loads: {e}"));
    lower(&loaded, config)
        .unwrap_or_else(|e| panic!("lowers: {e}"))
        .0
}

fn lower_spec(spec: &str) -> Api {
    lower_with(spec, &Config::default())
}

fn named<'a>(api: &'a Api, name: &str) -> (TypeId, &'a TypeDef) {
    api.defined_types()
        .find(|(_, def)| def.name == name)
        .unwrap_or_else(|| panic!("no type `{name}` in {:?}", names(api)))
}

fn names(api: &Api) -> Vec<&str> {
    api.defined_types()
        .map(|(_, def)| def.name.as_str())
        .collect()
}

fn struct_of<'a>(api: &'a Api, name: &str) -> &'a StructType {
    match &named(api, name).1.kind {
        TypeKind::Struct(s) => s,
        other => panic!("`{name}` is {other:?}"),
    }
}

const HEADER: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n";

#[test]
fn an_object_becomes_a_struct_with_required_and_optional_fields() {
    let api = lower_spec(&format!(
        "{HEADER}paths: {{}}\ncomponents:\n  schemas:\n    User:\n      type: object\n      required: [id]\n      properties:\n        id: {{type: string}}\n        age: {{type: integer, format: int32, nullable: true}}\n"
    ));
    let user = struct_of(&api, "User");
    let fields: Vec<(&str, &TypeRef, bool, bool)> = user
        .fields
        .iter()
        .map(|f| (f.rust_name.as_str(), &f.ty, f.required, f.nullable))
        .collect();
    assert_eq!(
        fields,
        [
            ("id", &TypeRef::String, true, false),
            ("age", &TypeRef::Integer { bits: 32 }, false, true),
        ]
    );
    assert!(matches!(&user.extra, ExtraFields::Any { rust_name } if rust_name == "extra"));
}

#[test]
fn setters_of_fields_that_trim_alike_get_distinct_names() {
    let api = lower_spec(&format!(
        "{HEADER}paths: {{}}\ncomponents:\n  schemas:\n    Thing:\n      type: object\n      properties:\n        foo: {{type: string}}\n        foo_: {{type: string}}\n        extra: {{type: string}}\n"
    ));
    let thing = struct_of(&api, "Thing");
    let setters: Vec<&str> = thing.fields.iter().map(|f| f.setter.as_str()).collect();
    assert_eq!(setters, ["with_foo", "with_foo_2", "with_extra"]);
    // The undeclared-properties field steps aside for the declared `extra`.
    assert!(matches!(&thing.extra, ExtraFields::Any { rust_name } if rust_name == "extra_2"));
}

#[test]
fn identical_inline_objects_merge_without_renumbering() {
    let api = lower_spec(&format!(
        "{HEADER}paths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{type: object, properties: {{x: {{type: string}}}}}}\n  /b:\n    get:\n      operationId: getB\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{type: object, properties: {{x: {{type: string}}}}}}\n"
    ));
    let response_type = |index: usize| match &api.operations[index].response.ty {
        Some(TypeRef::Named(id)) => *id,
        other => panic!("{other:?}"),
    };
    // Both operations read the first copy; the second stays in place as a merged entry.
    assert_eq!(response_type(0), response_type(1));
    assert_eq!(api.types.len(), 2);
    assert!(matches!(api.types[1].kind, TypeKind::Merged(id) if id == response_type(0)));
    assert_eq!(names(&api), ["GetAResponse"]);
    assert!(check_type_ids(&api).is_empty());
}

#[test]
fn a_dangling_type_id_is_an_internal_error() {
    let mut api = lower_spec(&format!(
        "{HEADER}paths: {{}}\ncomponents:\n  schemas:\n    A: {{type: object, properties: {{b: {{$ref: '#/components/schemas/B'}}}}}}\n    B: {{type: string, enum: [x]}}\n"
    ));
    assert!(check_type_ids(&api).is_empty());
    if let TypeKind::Struct(s) = &mut api.types[0].kind {
        s.fields[0].ty = TypeRef::Array(Box::new(TypeRef::Named(TypeId::new(99))));
    }
    let problems = check_type_ids(&api);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.starts_with("internal error"),
        "{problems:?}"
    );
    assert!(problems[0].message.contains("type id 99"), "{problems:?}");
}

#[test]
fn builder_names_avoid_what_builder_rs_imports() {
    let api = lower_spec(&format!(
        "{HEADER}paths:\n  /e:\n    get:\n      operationId: error\n      responses: {{'204': {{description: none}}}}\n  /f:\n    get:\n      operationId: future\n      responses: {{'204': {{description: none}}}}\n"
    ));
    let builders: Vec<&str> = api
        .operations
        .iter()
        .map(|o| o.builder_name.as_str())
        .collect();
    assert_eq!(builders, ["Error2", "Future2"]);
}

#[test]
fn paging_method_names_are_claimed_with_the_method() {
    let spec = format!(
        "{HEADER}paths:\n  /items:\n    get:\n      operationId: listItems\n      parameters:\n        - {{name: limit, in: query, schema: {{type: integer}}}}\n        - {{name: offset, in: query, schema: {{type: integer}}}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{type: object, properties: {{items: {{type: array, items: {{type: string}}}}}}}}\n  /items/stream:\n    get:\n      operationId: listItemsStream\n      responses: {{'204': {{description: none}}}}\n"
    );
    let config = Config::from_toml(
        "[operations.listItems.pagination]\nlimit = \"limit\"\noffset = \"offset\"\nitems = \"items\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let api = lower_with(&spec, &config);
    let pagination = api.operations[0]
        .pagination
        .as_ref()
        .unwrap_or_else(|| panic!("paginated"));
    assert_eq!(pagination.stream_method, "list_items_stream");
    assert_eq!(pagination.collect_method, "list_items_all");
    // The operation that wanted the same name gets the next free one.
    assert_eq!(api.operations[1].method_name, "list_items_stream_2");
}

#[test]
fn security_schemes_become_named_credentials() {
    let api = lower_spec(&format!(
        "{HEADER}security: [{{key: []}}]\npaths: {{}}\ncomponents:\n  securitySchemes:\n    key: {{type: apiKey, in: header, name: X-Api-Key}}\n    basic: {{type: http, scheme: basic}}\n"
    ));
    let credentials: Vec<(&str, &CredentialKind, bool)> = api
        .credentials
        .iter()
        .map(|c| (c.rust_name.as_str(), &c.kind, c.required))
        .collect();
    assert_eq!(
        credentials,
        [(
            "x_api_key",
            &CredentialKind::HeaderApiKey {
                header: "X-Api-Key".to_owned()
            },
            true
        )]
    );
}

#[test]
fn self_containing_fields_are_boxed() {
    let api = lower_spec(&format!(
        "{HEADER}paths: {{}}\ncomponents:\n  schemas:\n    Node:\n      type: object\n      properties:\n        next: {{$ref: '#/components/schemas/Node'}}\n        children: {{type: array, items: {{$ref: '#/components/schemas/Node'}}}}\n"
    ));
    let node = struct_of(&api, "Node");
    let boxed: Vec<(&str, bool)> = node
        .fields
        .iter()
        .map(|f| (f.rust_name.as_str(), f.boxed))
        .collect();
    // A list already allocates: only the direct field needs a `Box`.
    assert_eq!(boxed, [("next", true), ("children", false)]);
}

#[test]
fn every_security_alternative_gets_a_credential() {
    let api = lower_spec(&format!(
        "{HEADER}security: [{{key: []}}, {{basic: []}}, {{id: [], secret: []}}]\npaths: {{}}\ncomponents:\n  securitySchemes:\n    key: {{type: apiKey, in: header, name: X-Api-Key}}\n    basic: {{type: http, scheme: basic}}\n    id: {{type: apiKey, in: query, name: app_id}}\n    secret: {{type: apiKey, in: header, name: X-Secret}}\n"
    ));
    let names: Vec<(&str, bool)> = api
        .credentials
        .iter()
        .map(|c| (c.rust_name.as_str(), c.required))
        .collect();
    // Several alternatives: none is required by `Client::new`, each is a builder setting.
    assert_eq!(
        names,
        [
            ("x_api_key", false),
            ("basic_auth", false),
            ("app_id", false),
            ("x_secret", false)
        ]
    );
    assert_eq!(api.security_alternatives, [vec![0], vec![1], vec![2, 3]]);
}

#[test]
fn a_description_beside_a_ref_documents_the_field() {
    let api = lower_spec(
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Owner: {type: object, properties: {id: {type: string}}}\n    Cta:\n      type: object\n      properties:\n        owner:\n          $ref: '#/components/schemas/Owner'\n          description: Who the CTA is assigned to.\n",
    );
    let cta = struct_of(&api, "Cta");
    assert_eq!(
        cta.fields[0].doc.as_deref(),
        Some("Who the CTA is assigned to.")
    );
}

#[test]
fn a_discriminator_tags_each_alternative_with_its_values() {
    let api = lower_spec(&format!(
        "{HEADER}paths: {{}}\ncomponents:\n  schemas:\n    Pet:\n      oneOf: [{{$ref: '#/components/schemas/Dog'}}, {{$ref: '#/components/schemas/Cat'}}]\n      discriminator: {{propertyName: kind, mapping: {{kitty: '#/components/schemas/Cat', Dog: '#/components/schemas/Cat'}}}}\n    Dog: {{type: object, properties: {{kind: {{type: string}}}}}}\n    Cat: {{type: object, properties: {{kind: {{type: string}}}}}}\n"
    ));
    let TypeKind::Union(variants) = &named(&api, "Pet").1.kind else {
        panic!("not a union");
    };
    let tags: Vec<Option<(String, Vec<String>)>> = variants.iter().map(|v| v.tag.clone()).collect();
    let tag = |values: &[&str]| {
        Some((
            "kind".to_owned(),
            values.iter().map(|v| (*v).to_owned()).collect(),
        ))
    };
    // `Dog` is mapped to the cat, so the dog keeps no value of its own.
    assert_eq!(tags, [tag(&[]), tag(&["kitty", "Dog", "Cat"])]);
}

#[test]
fn an_object_with_all_of_beside_its_own_properties_inherits_the_members_fields() {
    // Azure's inheritance: `type: object` + `properties` + `allOf: [{$ref: Base}]`, two levels deep.
    let api = lower_spec(&format!(
        "{HEADER}paths: {{}}\ncomponents:\n  schemas:\n    Resource:\n      type: object\n      properties:\n        id: {{type: string, readOnly: true}}\n    ProxyResource:\n      type: object\n      allOf: [{{$ref: '#/components/schemas/Resource'}}]\n      properties: {{}}\n    Connection:\n      type: object\n      allOf: [{{$ref: '#/components/schemas/ProxyResource'}}]\n      required: [state]\n      properties:\n        state: {{type: string}}\n"
    ));
    let connection = struct_of(&api, "Connection");
    let fields: Vec<(&str, bool)> = connection
        .fields
        .iter()
        .map(|f| (f.json_name.as_str(), f.required))
        .collect();
    assert_eq!(fields, [("id", false), ("state", true)]);
}

#[test]
fn form_bodies_follow_their_encoding_object_and_warn_about_nesting_they_cannot_write() {
    let spec = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /m:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                plain: {type: array, items: {type: string}}
                joined: {type: array, items: {type: string}}
                deep: {type: object, properties: {a: {type: object}}}
                json: {type: object, properties: {a: {type: object}}}
                rows: {type: array, items: {type: array, items: {type: string}}}
                picture: {type: string}
            encoding:
              joined: {explode: false}
              deep: {style: deepObject}
              json: {contentType: application/json; charset=utf-8}
              picture: {contentType: image/png}
      responses: {'204': {description: ok}}
"##;
    let loaded = crate::spec::load(spec, &[]).expect("loads");
    let (api, warnings) = lower(&loaded, &Config::default()).expect("lowers");
    let body = api.operations[0].body.as_ref().expect("a body");
    let fields: Vec<(&str, FormFieldEncoding)> = body
        .form_fields
        .iter()
        .map(|f| (f.name.as_str(), f.encoding))
        .collect();
    assert_eq!(
        fields,
        [
            ("joined", FormFieldEncoding::Style(QueryStyle::FormJoined)),
            ("deep", FormFieldEncoding::Style(QueryStyle::DeepObject)),
            ("json", FormFieldEncoding::Json),
        ]
    );
    let media = "#/paths/~1m/post/requestBody/content/application~1x-www-form-urlencoded";
    let found: Vec<&str> = warnings.iter().map(|w| w.location.as_str()).collect();
    assert_eq!(
        found,
        [
            format!("{media}/schema/properties/rows/items").as_str(),
            format!("{media}/encoding/picture/contentType").as_str(),
        ],
        "{warnings:?}"
    );
    assert!(warnings[0].message.contains("`rows`") && warnings[0].message.contains("JSON text"));
}

#[test]
fn a_body_declared_on_204_is_not_waited_for() {
    let spec = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /d:
    delete:
      responses:
        '204':
          description: deleted
          content: {application/json: {schema: {type: object, properties: {a: {type: string}}}}}
  /e:
    post:
      responses:
        '200':
          description: made
          content: {application/json: {schema: {type: object, properties: {b: {type: string}}}}}
        '204':
          description: nothing to say
          content: {application/json: {schema: {type: object, properties: {c: {type: string}}}}}
"##;
    let api = lower_spec(spec);
    assert_eq!(api.operations[0].response.ty, None);
    let made = &api.operations[1].response;
    assert!(made.ty.is_some() && made.by_status.is_empty(), "{made:?}");
}

#[test]
fn a_parameter_nesting_objects_in_its_value_is_warned_about_and_marked() {
    let spec = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /tag:
    get:
      parameters:
        - {name: Tags, in: query, required: true, schema: {type: array, items: {$ref: '#/components/schemas/Tag'}}}
        - {name: Names, in: query, schema: {type: array, items: {type: string}}}
        - {name: filter, in: query, style: deepObject, schema: {type: object, properties: {a: {type: object}}}}
        - $ref: '#/components/parameters/Meta'
      responses: {'204': {description: ok}}
components:
  parameters:
    Meta: {name: meta, in: header, schema: {type: object, properties: {inner: {type: array, items: {type: string}}}}}
  schemas:
    Tag: {type: object, properties: {Key: {type: string}, Value: {type: string}}}
"##;
    let loaded = crate::spec::load(spec, &[]).expect("loads");
    let (api, warnings) = lower(&loaded, &Config::default()).expect("lowers");
    let marked: Vec<(&str, bool)> = api.operations[0]
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.unencodable))
        .collect();
    assert_eq!(
        marked,
        [
            ("Tags", true),
            ("Names", false),
            ("filter", false),
            ("meta", true)
        ]
    );
    let found: Vec<&str> = warnings.iter().map(|w| w.location.as_str()).collect();
    assert_eq!(
        found,
        [
            "#/paths/~1tag/get/parameters/0/schema/items",
            "#/components/parameters/Meta/schema/properties/inner",
        ],
        "{warnings:?}"
    );
    assert!(
        warnings[0].message.contains("`Tags`"),
        "{}",
        warnings[0].message
    );
}

#[test]
fn a_nullable_component_makes_every_use_of_it_nullable() {
    let spec = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    comment:
      type: object
      required: [user, editor]
      properties:
        user: {$ref: '#/components/schemas/nullable-user'}
        editor: {$ref: '#/components/schemas/user'}
    nullable-user: {type: object, nullable: true, properties: {login: {type: string}}}
    user: {type: object, properties: {login: {type: string}}}
"##;
    let api = lower_spec(spec);
    let comment = struct_of(&api, "Comment");
    let nullable: Vec<(&str, bool, bool)> = comment
        .fields
        .iter()
        .map(|f| (f.json_name.as_str(), f.required, f.nullable))
        .collect();
    assert_eq!(nullable, [("user", true, true), ("editor", true, false)]);
}

#[test]
fn a_body_behind_a_ref_keeps_its_parts_and_responses_set_accept() {
    let spec = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /ocr:
    post:
      requestBody: {$ref: '#/components/requestBodies/Image'}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: string}}}}
        '400': {description: bad, content: {application/problem+json: {schema: {type: object}}}}
  /plain:
    get:
      responses:
        '200': {description: ok, content: {text/plain: {schema: {type: string}}}}
  /none:
    delete:
      responses: {'204': {description: gone}}
components:
  requestBodies:
    Image:
      required: true
      content:
        multipart/form-data:
          schema: {type: object, required: [imageFile], properties: {imageFile: {type: string, format: binary}}}
"##;
    let api = lower_spec(spec);
    let parts: Vec<(&str, bool, bool)> = api.operations[0]
        .body
        .as_ref()
        .expect("a body")
        .form_parts
        .iter()
        .map(|p| (p.name.as_str(), p.file, p.required))
        .collect();
    assert_eq!(parts, [("imageFile", true, true)]);
    let accepts: Vec<Option<&str>> = api
        .operations
        .iter()
        .map(|op| op.response.accept.as_deref())
        .collect();
    assert_eq!(
        accepts,
        [
            Some("application/json, */*;q=0.1"),
            Some("text/plain"),
            None
        ]
    );
}

#[test]
fn a_wildcard_media_type_with_a_schema_is_json() {
    let spec = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /tags:
    delete:
      requestBody:
        required: true
        content: {'*/*': {schema: {$ref: '#/components/schemas/Tag'}}}
      responses:
        '200': {description: ok, content: {'*/*': {schema: {$ref: '#/components/schemas/Tag'}}}}
  /file:
    get:
      responses:
        '200': {description: ok, content: {'*/*': {schema: {type: string, format: binary}}}}
components:
  schemas:
    Tag: {type: object, properties: {name: {type: string}}}
"##;
    let api = lower_spec(spec);
    let tags = &api.operations[0];
    let body = tags.body.as_ref().expect("a body");
    assert_eq!(
        (body.encoding, body.content_type.as_str()),
        (BodyEncoding::Json, "application/json")
    );
    assert_eq!(tags.response.encoding, BodyEncoding::Json);
    assert!(matches!(tags.response.ty, Some(TypeRef::Named(_))));
    assert_eq!(api.operations[1].response.encoding, BodyEncoding::Bytes);
}

#[test]
fn keywords_of_another_type_are_dropped_with_a_warning() {
    // springdoc writes Java collection classes as arrays with the collection's bean properties.
    let loaded = crate::spec::load(&format!(
        "{HEADER}paths: {{}}\ncomponents:\n  schemas:\n    Ids:\n      type: array\n      items: {{type: integer, format: int64}}\n      properties: {{empty: {{type: boolean}}}}\n    Bag:\n      type: object\n      items: {{type: string}}\n      properties: {{id: {{type: string}}}}\n"
    ), &[])
    .expect("loads");
    let (api, _) = lower(&loaded, &Config::default()).expect("lowers");
    let warnings = &loaded.warnings;
    assert!(
        matches!(&named(&api, "Ids").1.kind, TypeKind::Alias(TypeRef::Array(item)) if **item == TypeRef::Integer { bits: 64 }),
        "{:?}",
        named(&api, "Ids").1.kind
    );
    assert_eq!(struct_of(&api, "Bag").fields.len(), 1);
    let found: Vec<&str> = warnings.iter().map(|w| w.location.as_str()).collect();
    assert!(
        found.contains(&"#/components/schemas/Ids/properties")
            && found.contains(&"#/components/schemas/Bag/items"),
        "{warnings:?}"
    );
}

#[test]
fn an_authorization_header_parameter_is_kept_only_when_no_security_scheme_could_send_it() {
    let paths = "paths:\n  /groups:\n    get:\n      parameters:\n        - {name: Authorization, in: header, required: true, schema: {type: string}}\n        - {name: Accept, in: header, schema: {type: string}}\n      responses: {'204': {description: ok}}\n";
    let names = |spec: &str| {
        let loaded = crate::spec::load(spec, &[]).expect("loads");
        let (api, warnings) = lower(&loaded, &Config::default()).expect("lowers");
        let names: Vec<String> = api.operations[0]
            .params
            .iter()
            .map(|p| p.name.clone())
            .collect();
        (names, warnings.len())
    };
    // gotomeeting: no scheme anywhere, so the parameter is the only way to authenticate.
    assert_eq!(
        names(&format!("{HEADER}{paths}")),
        (vec!["Authorization".to_owned()], 2)
    );
    // With a scheme the client sends it from the credentials, as OpenAPI requires.
    let with_scheme = format!(
        "{HEADER}{paths}components:\n  securitySchemes:\n    token: {{type: http, scheme: bearer}}\nsecurity: [{{token: []}}]\n"
    );
    assert_eq!(names(&with_scheme), (Vec::new(), 2));
}

#[test]
fn an_empty_media_type_key_is_sent_as_json_with_a_warning() {
    let spec = format!(
        "{HEADER}paths:\n  /templates:\n    post:\n      requestBody:\n        required: true\n        content:\n          '':\n            schema: {{type: object, properties: {{hash: {{type: string}}}}}}\n      responses:\n        '200':\n          description: ok\n          content:\n            '': {{schema: {{type: object}}}}\n"
    );
    let loaded = crate::spec::load(&spec, &[]).expect("loads");
    let (api, warnings) = lower(&loaded, &Config::default()).expect("lowers");
    let op = &api.operations[0];
    let body = op.body.as_ref().expect("a body");
    assert_eq!(
        (body.content_type.as_str(), body.encoding),
        ("application/json", BodyEncoding::Json)
    );
    assert_eq!(op.response.encoding, BodyEncoding::Json);
    // No `Accept: ` with an empty value.
    assert_eq!(op.response.accept, None);
    let locations: Vec<&str> = warnings.iter().map(|w| w.location.as_str()).collect();
    assert_eq!(locations, ["#/paths/~1templates/post/requestBody/content/"]);
}

#[test]
fn large_types_are_held_in_boxes_and_small_ones_inline() {
    // `Big` holds 100 optional strings (about 3.2 KB); `Small` two.
    let big_props: String = (0..100)
        .map(|i| format!("        p{i}: {{type: string}}\n"))
        .collect();
    let api = lower_spec(&format!(
        "{HEADER}paths: {{}}\ncomponents:\n  schemas:\n    Big:\n      type: object\n      properties:\n{big_props}    Small:\n      type: object\n      properties:\n        a: {{type: string}}\n        b: {{type: integer}}\n    Parent:\n      type: object\n      required: [first]\n      properties:\n        first: {{$ref: '#/components/schemas/Big'}}\n        second: {{$ref: '#/components/schemas/Big'}}\n        small: {{$ref: '#/components/schemas/Small'}}\n    Either:\n      oneOf:\n        - $ref: '#/components/schemas/Big'\n        - $ref: '#/components/schemas/Small'\n"
    ));
    let boxed = |name: &str| -> Vec<(String, bool)> {
        struct_of(&api, name)
            .fields
            .iter()
            .map(|f| (f.json_name.clone(), f.boxed))
            .collect()
    };
    assert_eq!(
        boxed("Parent"),
        [
            ("first".to_owned(), true),
            ("second".to_owned(), true),
            ("small".to_owned(), false)
        ]
    );
    assert!(
        boxed("Big").iter().all(|(_, b)| !b),
        "strings are never boxed"
    );
    let TypeKind::Union(variants) = &named(&api, "Either").1.kind else {
        panic!("Either is a union");
    };
    let boxed_variants: Vec<bool> = variants.iter().map(|v| v.boxed).collect();
    assert_eq!(boxed_variants, [true, false]);
}

/// A record fetched by `GET /items/{id}` and the body `PUT` takes; `Other` matches neither.
const CONVERSION_SPEC: &str = r#"
paths:
  /items/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}}}
    put:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/ItemInput'}}}}
      responses: {'204': {description: done}}
  /others:
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Other'}}}}
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}}}
components:
  schemas:
    Item:
      type: object
      required: [id]
      properties: {id: {type: string}, name: {type: string}, size: {type: integer}}
    ItemInput:
      type: object
      required: [name]
      properties: {name: {type: string}, size: {type: integer}}
    Other:
      type: object
      properties: {colour: {type: string}}
"#;

#[test]
fn a_fetched_record_converts_into_the_body_of_its_update() {
    let api = lower_spec(&format!("{HEADER}{CONVERSION_SPEC}"));
    let (item, _) = named(&api, "Item");
    let (input, _) = named(&api, "ItemInput");
    // `Item` has no `colour`, so the POST body `Other` gets no conversion.
    assert_eq!(api.conversions.len(), 1, "{:?}", api.conversions);
    let conversion = &api.conversions[0];
    assert_eq!((conversion.from, conversion.to), (item, input));
    // `name` is optional in the record and required in the body; `size` optional in both.
    assert_eq!(
        conversion.fields,
        [
            FieldSource::Required(1),
            FieldSource::Same(2),
            FieldSource::EmptyExtra
        ]
    );
}

#[test]
fn a_declared_conversion_that_cannot_hold_is_an_error_naming_the_field() {
    let spec = crate::spec::load(&format!("{HEADER}{CONVERSION_SPEC}"), &[])
        .unwrap_or_else(|e| panic!("loads: {e}"));
    let config = Config::from_toml(
        "conversions = [{ from = \"Item\", to = \"Other\" }, { from = \"Nope\", to = \"Item\" }]",
    )
    .unwrap_or_else(|e| panic!("config: {e}"));
    let error = lower(&spec, &config).expect_err("refused");
    let messages: Vec<String> = error.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("conversions[0]") && messages[0].contains("no `colour`"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains("conversions[1]") && messages[1].contains("`Nope`"),
        "{}",
        messages[1]
    );
}
