"""AWS adapters (boto3): the only modules that talk to DynamoDB, SQS or SNS."""
