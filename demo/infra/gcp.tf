# Example ML Org (synthetic): the Google Cloud part. Labels are lowercase (GCP's rule); the policy's CostCenter is
# the label cost_center, and Owner has no "@" (label values cannot hold one).

provider "google" {
  project = "ml-training-prod"
  region  = "us-central1"
  default_labels = {
    managed_by = "terraform"
  }
}

provider "google" {
  alias   = "serving"
  project = "ml-serving-prod"
  region  = "us-central1"
  default_labels = {
    managed_by = "terraform"
  }
}

provider "google" {
  alias   = "sandbox"
  project = "ml-research-sandbox"
  region  = "us-central1"
  default_labels = {
    managed_by = "terraform"
  }
}

locals {
  llm_pretrain = {
    team        = "nlp"
    project     = "llm-pretrain"
    environment = "production"
    cost_center = "ml-research"
    owner       = "nlp-leads"
    stage       = "training"
  }
}

# Pre-trains around the clock; a 1-year committed use discount (below) covers it since 1 June 2026.
resource "google_compute_instance" "llm_pretrain" {
  name         = "llm-pretrain-0"
  machine_type = "a3-highgpu-8g"
  zone         = "us-central1-a"
  labels       = local.llm_pretrain
  boot_disk {
    initialize_params { image = "deeplearning-platform-release/common-cu124" }
  }
  network_interface { network = "default" }
  scheduling { on_host_maintenance = "TERMINATE" }
}

resource "google_compute_region_commitment" "a3_llm_pretrain" {
  name   = "cud-a3-llm-pretrain"
  region = "us-central1"
  plan   = "TWELVE_MONTH"
  type   = "ACCELERATOR_OPTIMIZED_A3"
  resources {
    type   = "VCPU"
    amount = "208"
  }
  resources {
    type   = "MEMORY"
    amount = "1916928"
  }
  resources {
    type             = "ACCELERATOR"
    accelerator_type = "nvidia-h100-80gb"
    amount           = "8"
  }
}

resource "google_storage_bucket" "llm_checkpoints" {
  name     = "ml-llm-checkpoints"
  location = "US-CENTRAL1"
  labels   = merge(local.llm_pretrain, { stage = "data" })
}

# GCP labels are lowercase: "Team" breaks the rules, and cost_center is missing. In the bill this VM has no team
# label, so its cost is untagged.
resource "google_compute_instance" "llm_finetune" {
  provider     = google.sandbox
  name         = "llm-finetune"
  machine_type = "a2-highgpu-1g"
  zone         = "us-central1-a"
  labels = {
    Team        = "nlp"
    project     = "llm-finetune"
    environment = "dev"
    owner       = "nlp-team"
  }
  boot_disk {
    initialize_params { image = "deeplearning-platform-release/common-cu124" }
  }
  network_interface { network = "default" }
  scheduling { on_host_maintenance = "TERMINATE" }
}

# Chat serving on L4: chat-serving-0 … 3 (two L4 GPUs each), behind the chat-serving-lb forwarding rule.
resource "google_compute_instance" "chat_serving" {
  provider     = google.serving
  count        = 4
  name         = "chat-serving-${count.index}"
  machine_type = "g2-standard-24"
  zone         = "us-central1-a"
  labels = {
    team        = "nlp"
    project     = "chat-serving"
    environment = "production"
    cost_center = "ml-research"
    owner       = "nlp-leads"
    stage       = "inference"
  }
  boot_disk {
    initialize_params { image = "deeplearning-platform-release/common-cu124" }
  }
  network_interface { network = "default" }
  scheduling { on_host_maintenance = "TERMINATE" }
}
