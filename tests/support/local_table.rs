//! Creates the local API's table in DynamoDB Local (`make dev`), from template.yaml's definition.
//! Reads `DYNAMODB_ENDPOINT` and `TABLE_NAME`.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let endpoint = std::env::var("DYNAMODB_ENDPOINT").expect("DYNAMODB_ENDPOINT");
    let table = std::env::var("TABLE_NAME").expect("TABLE_NAME");
    let client = passwordapi::store::dynamodb::client(Some(&endpoint)).await;
    integration_tests::dynamo::create_table(&client, &table).await;
    println!("table {table} ready at {endpoint}");
}
