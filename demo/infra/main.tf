terraform {
  required_providers {
    aws    = { source = "hashicorp/aws", version = "~> 6.0" }
    google = { source = "hashicorp/google", version = "~> 7.0" }
  }
}

provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      Environment = "production"
      CostCenter  = "ml-research"
    }
  }
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

provider "google" {
  project = "ml-training-prod"
  region  = "us-central1"
}

locals {
  common_tags = {
    Team    = "vision"
    Project = "detector-v2"
    Owner   = "ml-platform@example.com"
  }
}

# Fully tagged: default_tags supply Environment and CostCenter.
resource "aws_instance" "trainer" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "p3.2xlarge"
  tags          = merge(local.common_tags, { Name = "detector-trainer" })
}

# Missing Team, Project and Owner.
resource "aws_instance" "notebook" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "g5.xlarge"
  tags = {
    Name = "research-notebook"
  }
}

# The west provider has no default tags, and the bucket has no tags at all.
resource "aws_s3_bucket" "checkpoints" {
  provider = aws.west
  bucket   = "detector-checkpoints"
}

# Environment must be one of dev, staging, production.
resource "aws_sagemaker_notebook_instance" "explore" {
  name          = "explore"
  role_arn      = "arn:aws:iam::123456789012:role/sagemaker"
  instance_type = "ml.g5.xlarge"
  tags = merge(local.common_tags, {
    Environment = "prod"
  })
}

# GCP labels are lowercase: "Team" breaks the rules, and cost_center is missing.
resource "google_compute_instance" "tpu_host" {
  name         = "llm-finetune"
  machine_type = "a2-highgpu-1g"
  zone         = "us-central1-a"
  labels = {
    Team        = "nlp"
    project     = "llm-finetune"
    environment = "staging"
    owner       = "nlp-team"
  }
  boot_disk {
    initialize_params { image = "debian-cloud/debian-12" }
  }
  network_interface { network = "default" }
}
