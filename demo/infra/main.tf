# Example ML Org (a synthetic demo organisation): the AWS part of its ML platform.
# The same resources, with the same names and tags, are in the demo bill (../billing): their costs show in the
# ML FinOps Resources view and dashboard, and the code lenses here price them from the same catalogue.
# A few tagging mistakes are left in on purpose; the Problems panel lists them.

terraform {
  required_providers {
    aws     = { source = "hashicorp/aws", version = "~> 6.0" }
    google  = { source = "hashicorp/google", version = "~> 7.0" }
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
  }
}

provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      ManagedBy = "terraform"
    }
  }
}

# Checkpoints and fine-tuning live in us-west-2. This provider has no default tags.
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

locals {
  vision_serving = {
    Team        = "vision"
    Project     = "detector-serving"
    Environment = "production"
    CostCenter  = "ml-research"
    Owner       = "vision-leads@example.com"
    Stage       = "inference"
  }
  vision_training = merge(local.vision_serving, { Project = "detector-v3", Stage = "training" })
}

# Missing Team, Project, CostCenter and Owner: in the bill its cost is untagged (research-notebook, i-0d7b8cb5fdabd8674).
resource "aws_instance" "notebook" {
  ami           = "ami-0a1b2c3d4e5f60718"
  instance_type = "g5.xlarge"
  tags = {
    Name        = "research-notebook"
    Environment = "dev"
  }
}

# The bill's detector-serving-0 … 5 (g5.2xlarge, covered by the Compute Savings Plan since 1 August 2026).
resource "aws_instance" "detector_serving" {
  count         = 6
  ami           = "ami-0a1b2c3d4e5f60718"
  instance_type = "g5.2xlarge"
  tags          = merge(local.vision_serving, { Name = "detector-serving-${count.index}" })
}

resource "aws_instance" "detector_serving_staging" {
  count         = 2
  ami           = "ami-0a1b2c3d4e5f60718"
  instance_type = "g5.xlarge"
  tags          = merge(local.vision_serving, { Name = "detector-serving-staging-${count.index}", Environment = "staging" })
}

# Environment must be one of dev, staging, production. The bill's asr-serving-l4-0 … 3 carry the same "prod".
resource "aws_instance" "asr_serving" {
  count         = 4
  ami           = "ami-0a1b2c3d4e5f60718"
  instance_type = "g6.xlarge"
  tags = {
    Name        = "asr-serving-l4-${count.index}"
    Team        = "speech"
    Project     = "asr-serving"
    Environment = "prod"
    CostCenter  = "ml-product"
    Owner       = "speech-leads@example.com"
    Stage       = "inference"
  }
}

# Training nodes (detector-v3-train-j01-0 …) are launched from this template by the job scheduler, on demand or spot.
resource "aws_launch_template" "detector_trainer" {
  name          = "detector-v3-train"
  image_id      = "ami-0a1b2c3d4e5f60718"
  instance_type = "p4d.24xlarge"
  tags          = local.vision_training
  tag_specifications {
    resource_type = "instance"
    tags          = local.vision_training
  }
}

resource "aws_instance" "ci_gpu_runner" {
  count         = 4
  ami           = "ami-0a1b2c3d4e5f60718"
  instance_type = "g4dn.2xlarge"
  instance_market_options {
    market_type = "spot"
  }
  tags = {
    Name        = "ci-gpu-runner-${count.index}"
    Team        = "platform"
    Project     = "ci-runners"
    Environment = "production"
    CostCenter  = "ml-platform"
    Owner       = "ml-platform@example.com"
    Stage       = "ci"
  }
}

resource "aws_s3_bucket" "datasets" {
  bucket = "mlorg-datasets"
  tags = {
    Team        = "platform"
    Project     = "data-lake"
    Environment = "production"
    CostCenter  = "ml-platform"
    Owner       = "ml-platform@example.com"
    Stage       = "data"
  }
}

# No tags at all, and the west provider adds none: in the bill, every checkpoint byte is untagged.
resource "aws_s3_bucket" "checkpoints" {
  provider = aws.west
  bucket   = "detector-checkpoints"
}

# LLM fine-tuning on p5.48xlarge (8 × H100) in us-west-2 (llm-finetune-train-j01-0 … in the bill).
resource "aws_launch_template" "llm_finetune" {
  provider      = aws.west
  name          = "llm-finetune-train"
  image_id      = "ami-0f1e2d3c4b5a69788"
  instance_type = "p5.48xlarge"
  tags = {
    Team        = "nlp"
    Project     = "llm-finetune"
    Environment = "production"
    CostCenter  = "ml-research"
    Owner       = "nlp-leads@example.com"
    Stage       = "training"
  }
}
