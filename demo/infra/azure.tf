# Example ML Org (synthetic): the Azure part (subscription ml-prod-azure). Azure has no provider default tags, so
# every resource lists its own.

provider "azurerm" {
  features {}
  subscription_id = "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
}

variable "admin_ssh_public_key" {
  type    = string
  default = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoOnlyNotARealKey demo@example.com"
}

variable "ranker_serving_nic_ids" {
  type    = list(string)
  default = []
}

variable "asr_train_nic_ids" {
  type    = list(string)
  default = []
}

variable "ranker_subnet_id" {
  type    = string
  default = ""
}

locals {
  recsys = {
    Team        = "recsys"
    CostCenter  = "ml-product"
    Owner       = "recsys-leads@example.com"
    Environment = "production"
    ManagedBy   = "terraform"
  }
}

# vm-ranker-serving-0 … 7: the ranking model on T4.
resource "azurerm_linux_virtual_machine" "ranker_serving" {
  count                 = 8
  name                  = "vm-ranker-serving-${count.index}"
  resource_group_name   = "rg-recsys-prod"
  location              = "eastus"
  size                  = "Standard_NC8as_T4_v3"
  admin_username        = "azureuser"
  network_interface_ids = [var.ranker_serving_nic_ids[count.index]]
  admin_ssh_key {
    username   = "azureuser"
    public_key = var.admin_ssh_public_key
  }
  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
  }
  source_image_reference {
    publisher = "microsoft-dsvm"
    offer     = "ubuntu-hpc"
    sku       = "2204"
    version   = "latest"
  }
  tags = merge(local.recsys, { Project = "ranker-serving", Stage = "inference" })
}

# Hyper-parameter sweeps on spot ND96asr_v4 (8 × A100). On 14 October 2026 it fell back to on-demand and ran 16
# instances for a day and a half: the anomaly in the demo bill.
resource "azurerm_linux_virtual_machine_scale_set" "ranker_sweep" {
  name                = "vmss-ranker-sweep"
  resource_group_name = "rg-recsys-train"
  location            = "eastus"
  sku                 = "Standard_ND96asr_v4"
  instances           = 0
  priority            = "Spot"
  eviction_policy     = "Delete"
  max_bid_price       = -1
  admin_username      = "azureuser"
  admin_ssh_key {
    username   = "azureuser"
    public_key = var.admin_ssh_public_key
  }
  network_interface {
    name    = "sweep"
    primary = true
    ip_configuration {
      name      = "internal"
      primary   = true
      subnet_id = var.ranker_subnet_id
    }
  }
  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
  }
  source_image_reference {
    publisher = "microsoft-dsvm"
    offer     = "ubuntu-hpc"
    sku       = "2204"
    version   = "latest"
  }
  tags = merge(local.recsys, { Project = "ranker", Stage = "experimentation" })
}

# vm-asr-train-0 … 3: speech recognition training on A100 80 GB, weekdays.
resource "azurerm_linux_virtual_machine" "asr_train" {
  count                 = 4
  name                  = "vm-asr-train-${count.index}"
  resource_group_name   = "rg-speech"
  location              = "eastus"
  size                  = "Standard_NC24ads_A100_v4"
  admin_username        = "azureuser"
  network_interface_ids = [var.asr_train_nic_ids[count.index]]
  admin_ssh_key {
    username   = "azureuser"
    public_key = var.admin_ssh_public_key
  }
  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
  }
  source_image_reference {
    publisher = "microsoft-dsvm"
    offer     = "ubuntu-hpc"
    sku       = "2204"
    version   = "latest"
  }
  tags = {
    Team        = "speech"
    Project     = "asr"
    Environment = "production"
    CostCenter  = "ml-product"
    Owner       = "speech-leads@example.com"
    Stage       = "training"
    ManagedBy   = "terraform"
  }
}

resource "azurerm_storage_account" "features" {
  name                     = "mlrecsysfeatures"
  resource_group_name      = "rg-recsys-prod"
  location                 = "eastus"
  account_tier             = "Standard"
  account_replication_type = "LRS"
  tags                     = merge(local.recsys, { Project = "feature-store", Stage = "data" })
}
