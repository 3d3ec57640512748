hregion         = "eu-west-1"
instance_class = "db.t3.medium"
multi_az       = false
allowed_cidrs  = ["10.0.0.0/8"]

tags = {
  team        = "payments"
  environment = "staging"
}
